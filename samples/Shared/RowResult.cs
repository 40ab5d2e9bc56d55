namespace Samples.Shared;

/// <summary>What one seed sample reports to the tour's summary table.</summary>
/// <param name="Measured">The measured figure, in a few words ("processes 1.85× serial; threads under the GIL 1.00×").</param>
/// <param name="Holds">Whether the measurement agrees with the seed's recommendation (decided from the numbers by the sample), or <see langword="null"/> when it could not be measured.</param>
public sealed record RowResult(string Measured, bool? Holds);
