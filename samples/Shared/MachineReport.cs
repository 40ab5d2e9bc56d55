using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Samples.Shared;

/// <summary>The first lines every seed sample prints: where it ran, and how much parallel CPU it had.</summary>
public static class MachineReport
{
    /// <summary>Writes the machine line and the capacity check; returns the capacity.</summary>
    public static double Write(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}.");
        if (Assembly.GetEntryAssembly()?.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            output.WriteLine("This is a Debug build: timings are of unoptimized code. Run with -c Release.");
        }

        double capacity = CpuCapacity.Measure();
        output.WriteLine($"Parallel CPU capacity now: {capacity:F2} of {Environment.ProcessorCount} (one spin loop alone vs one per CPU at once; below {Environment.ProcessorCount} = other processes are busy, and speedups are capped by it).");
        output.WriteLine();
        return capacity;
    }
}
