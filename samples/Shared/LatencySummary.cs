namespace Samples.Shared;

/// <summary>Order statistics of a set of latencies, in milliseconds.</summary>
/// <param name="Count">How many samples.</param>
/// <param name="MedianMs">The median.</param>
/// <param name="P99Ms">The 99th percentile (nearest rank).</param>
/// <param name="MaxMs">The largest.</param>
/// <param name="MeanMs">The mean.</param>
public sealed record LatencySummary(int Count, double MedianMs, double P99Ms, double MaxMs, double MeanMs)
{
    /// <summary>Summarizes <paramref name="milliseconds"/> (at least one sample).</summary>
    public static LatencySummary Of(IReadOnlyCollection<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        if (milliseconds.Count == 0)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(milliseconds));
        }

        double[] sorted = milliseconds.Order().ToArray();
        return new LatencySummary(
            sorted.Length,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.99),
            sorted[^1],
            sorted.Average());
    }

    /// <summary>A short text form: "median 0.12 ms, p99 0.80 ms, max 1.50 ms".</summary>
    public override string ToString() => $"median {MedianMs:F2} ms, p99 {P99Ms:F2} ms, max {MaxMs:F1} ms";

    private static double Percentile(double[] sorted, double p)
    {
        // Nearest rank: the smallest sample with at least p of the samples at or below it.
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
