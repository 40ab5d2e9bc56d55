using Executors.ProcessPool.Supervision;

namespace Executors.Tests.ProcessPool.Supervision;

public sealed class MapChunksTests
{
    public static TheoryData<int, int> Sizes => new()
    {
        { 0, 3 }, { 1, 3 }, { 3, 3 }, { 7, 3 }, { 9, 3 }, { 10, 1 }, { 5, 100 }, { 1000, 256 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Of_Collection_GivesTheSameChunksAsEnumerableChunk(int count, int size)
    {
        int[] items = Enumerable.Range(100, count).ToArray();

        AssertSameChunks(items.Chunk(size), MapChunks.Of(items, size));
        AssertSameChunks(items.Chunk(size), MapChunks.Of(new List<int>(items), size));
        AssertSameChunks(items.Chunk(size), MapChunks.Of(Enumerable.Range(100, count), size));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Of_Sequence_GivesTheSameChunksAsEnumerableChunk(int count, int size)
    {
        AssertSameChunks(Yield(count).Chunk(size), MapChunks.Of(Yield(count), size));
    }

    [Fact]
    public void Of_Sequence_IsReadOneChunkAtATime()
    {
        int read = 0;
        IEnumerable<int> Counted()
        {
            for (int i = 0; i < 100; i++)
            {
                read++;
                yield return i;
            }
        }

        using IEnumerator<int[]> chunks = MapChunks.Of(Counted(), 10).GetEnumerator();
        Assert.Equal(0, read);
        Assert.True(chunks.MoveNext());
        Assert.InRange(read, 10, 11);
    }

    [Fact]
    public void Of_Collection_IsCopiedWhenTheFirstChunkIsTaken_AndChunksAreIndependentArrays()
    {
        var list = new List<string> { "a", "b", "c" };
        IEnumerable<string[]> chunks = MapChunks.Of(list, 2);
        list.Add("d");

        string[][] taken = chunks.ToArray();
        list[0] = "changed";

        Assert.Equal(["a", "b"], taken[0]);
        Assert.Equal(["c", "d"], taken[1]);
        Assert.NotSame(taken[0], taken[1]);
    }

    private static IEnumerable<int> Yield(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i * 3;
        }
    }

    private static void AssertSameChunks(IEnumerable<int[]> expected, IEnumerable<int[]> actual)
    {
        int[][] e = expected.ToArray();
        int[][] a = actual.ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            Assert.Equal(e[i], a[i]);
        }
    }
}
