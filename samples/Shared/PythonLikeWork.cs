namespace Samples.Shared;

/// <summary>
/// Work shaped like the seed's Python examples, for the samples to run on executors.
/// </summary>
public static class PythonLikeWork
{
    /// <summary>
    /// Pure CPU work, like a pure-Python loop: <c>s = 0; for i in range(n): s += i * i</c> (the same
    /// loop as <c>cf_bench.py</c>'s <c>burn</c>; 64-bit and wrapping here).
    /// </summary>
    /// <param name="iterations">How many times to go round the loop.</param>
    /// <returns>The sum, so that the loop cannot be optimized away.</returns>
    public static long Burn(long iterations)
    {
        long s = 0;
        for (long i = 0; i < iterations; i++)
        {
            s += i * i;
        }

        return s;
    }
}
