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
    /// be confirmed or refuted: 1.5 of 2 CPUs leaves room for the 1.3x the rows ask for.
    /// </summary>
    public const double MinimumCapacity = 1.5;

    /// <summary>A result for a claim about parallel speedup: undecided when the machine was too busy to tell.</summary>
    public static RowResult ForParallelClaim(string measured, bool holds, double capacity) =>
        new(measured, capacity >= MinimumCapacity ? holds : null, capacity);
}
