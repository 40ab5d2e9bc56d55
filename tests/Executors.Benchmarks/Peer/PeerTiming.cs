using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>Shared constants and conversions of the peer workloads.</summary>
internal static class PeerTiming
{
    /// <summary>Tasks per timed run, as in <c>cf_bench.py</c>.</summary>
    public const int Tasks = 100_000;

    /// <summary>Untimed tasks run once before timing, so that the timed run measures JIT-compiled code.</summary>
    public const int WarmupTasks = 20_000;

    /// <summary>Gets the info text that states the warm-up.</summary>
    public static string WarmupDescription { get; } =
        $"one untimed run of {WarmupTasks:N0} no-op tasks per timed path (separate pool / raw ThreadPool) before timing, for the JIT";

    /// <summary>Seconds between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    /// <param name="from">The earlier timestamp.</param>
    /// <param name="to">The later timestamp.</param>
    /// <returns>The elapsed seconds.</returns>
    public static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;
}
