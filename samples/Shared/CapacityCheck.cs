namespace Samples.Shared;

/// <summary>
/// The CPU capacity measured before and after a row that claims a parallel speedup: other programs
/// come and go within seconds on a shared machine, so the lower of the two is what the row had.
/// </summary>
public sealed class CapacityCheck
{
    private CapacityCheck(double before) => Before = before;

    /// <summary>Gets the capacity measured before the row.</summary>
    public double Before { get; }

    /// <summary>Measures the capacity before the row.</summary>
    public static CapacityCheck Start() => new(CpuCapacity.Measure());

    /// <summary>Measures the capacity after the row, prints both, and returns the lower.</summary>
    public double End(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        double after = CpuCapacity.Measure();
        double lower = Math.Min(Before, after);
        output.WriteLine($"  Parallel CPU capacity before / after this row: {Before:F2} / {after:F2} of {Environment.ProcessorCount} (the lower one, {lower:F2}, is what the row had at worst).");
        return lower;
    }
}
