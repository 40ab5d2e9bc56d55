namespace Executors.ProcessPool.Supervision;

/// <summary>Cuts the items of a chunked <c>Map</c> into arrays of the chunk size, lazily.</summary>
internal static class MapChunks
{
    /// <summary>
    /// Returns the chunks of <paramref name="items"/>. A collection (an array, a list, a range) is copied
    /// once with <see cref="ICollection{T}.CopyTo"/> when the first chunk is taken, and each chunk is a
    /// slice of that copy; any other sequence is enumerated item by item, a chunk at a time.
    /// </summary>
    /// <remarks>
    /// Why: enumerating a collection through <see cref="IEnumerator{T}"/> costs two interface calls per
    /// item, in code that in a short-lived or fresh process often still runs unoptimized; with 256 items
    /// per chunk that was a visible part of the parent's cost per item. A materialized collection loses
    /// nothing by being read at once.
    /// </remarks>
    public static IEnumerable<T[]> Of<T>(IEnumerable<T> items, int size) =>
        items is ICollection<T> collection ? FromCollection(collection, size) : items.Chunk(size);

    private static IEnumerable<T[]> FromCollection<T>(ICollection<T> collection, int size)
    {
        var all = new T[collection.Count];
        collection.CopyTo(all, 0);
        for (int start = 0; start < all.Length; start += size)
        {
            yield return all.AsSpan(start, Math.Min(size, all.Length - start)).ToArray();
        }
    }
}
