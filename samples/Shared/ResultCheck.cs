namespace Samples.Shared;

/// <summary>
/// The speedup rows run the same work several ways; each way must compute what the first serial run
/// did, or its time says nothing. Call sites import it with <c>using static</c>.
/// </summary>
public static class ResultCheck
{
    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>, item by item.</summary>
    public static void Check<T>(IEnumerable<T> actual, IEnumerable<T> expected)
    {
        if (!actual.SequenceEqual(expected))
        {
            throw new InvalidOperationException("A run's results differ from the first serial run's.");
        }
    }
}
