namespace Executors.Benchmarks.Peer;

/// <summary>CPU work for the GIL workloads: "pure-Python" code that reaches a checkpoint every few microseconds.</summary>
internal static class GilTasks
{
    /// <summary>
    /// Iterations between checkpoints: about 6 µs of <see cref="ProcessTasks.Burn"/> here (50,000,000
    /// iterations take 0.0187 s), within the model's "a checkpoint at least every 10 µs".
    /// </summary>
    public const long IterationsPerCheckpoint = 16_384;

    /// <summary>Gets <see cref="BurnWithCheckpoints"/> as a delegate.</summary>
    public static Func<long, long> BurnWithCheckpointsFn { get; } = BurnWithCheckpoints;

    /// <summary>The same sum as <see cref="ProcessTasks.Burn"/>, with <see cref="Gil.Checkpoint()"/> every <see cref="IterationsPerCheckpoint"/> iterations (CPython's eval breaker at the loop back-edge).</summary>
    /// <param name="n">Iterations.</param>
    /// <returns>The sum.</returns>
    public static long BurnWithCheckpoints(long n)
    {
        long s = 0;
        long i = 0;
        while (i < n)
        {
            long end = Math.Min(n, i + IterationsPerCheckpoint);
            for (; i < end; i++)
            {
                s += i * i;
            }

            Gil.Checkpoint();
        }

        return s;
    }
}
