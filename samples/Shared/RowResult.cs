namespace Samples.Shared;

/// <summary>What one seed sample reports to the tour's summary table.</summary>
/// <param name="Measured">The measured figure, in a few words ("processes 1.85x serial; threads under the GIL 1.00x").</param>
/// <param name="Holds">
/// Whether the measurement agrees with the seed's recommendation, decided from the numbers by the
/// sample; <see langword="null"/> when it cannot be decided (see <see cref="ForParallelClaim"/>).
/// </param>
/// <param name="Capacity">The parallel CPU capacity the row had (the lower of before and after it), for rows whose claim is a parallel speedup.</param>
public sealed record RowResult(string Measured, bool? Holds, double? Capacity = null)
{
    /// <summary>
    /// Below this capacity the machine cannot run two CPU-bound threads at once, so no speedup claim can
    /// be confirmed or refuted: 1.5 of 2 CPUs leaves room for the <see cref="MinimumSpeedup"/> the rows ask for.
    /// </summary>
    public const double MinimumCapacity = 1.5;

    /// <summary>The speedup over serial every parallel claim asks of the seed's recommended tool.</summary>
    public const double MinimumSpeedup = 1.3;

    /// <summary>
    /// A result for a claim about parallel speedup: it holds when the recommended tool's
    /// <paramref name="speedup"/> is at least <see cref="MinimumSpeedup"/> and at least
    /// <paramref name="overRival"/> times the <paramref name="rivalSpeedup"/> of the tool it is preferred
    /// to; undecided when the machine was too busy to tell.
    /// </summary>
    public static RowResult ForParallelClaim(string measured, double speedup, double rivalSpeedup, double capacity, double overRival = MinimumSpeedup) =>
        new(measured, capacity >= MinimumCapacity ? speedup >= MinimumSpeedup && speedup >= overRival * rivalSpeedup : null, capacity);
}
