// SeedTour: the seed document's summary table ("which tool fits which workload"), each row measured
// here, briefly, by the sample that proves it. Run it with:
//     dotnet run -c Release --project samples/SeedTour
// Each row's full sample (same code, more work) is in samples/<Row>/; see samples/README.md.
using System.Diagnostics;
using Samples.CpuBound;
using Samples.FreeThreaded;
using Samples.IoBound;
using Samples.MassiveIo;
using Samples.NativeCode;
using Samples.Preprocessing;
using Samples.Responsiveness;
using Samples.Shared;

var tour = Stopwatch.StartNew();
Console.WriteLine("Seed tour: each row of the seed's summary table, measured on this machine (brief runs; full samples in samples/).");
MachineReport.Write(Console.Out);

(string Workload, string BestTool, string Sample, Func<Task<RowResult>> Run)[] rows =
[
    ("Pure Python CPU-bound", "ProcessPoolExecutor", "CpuBoundWithProcesses", () => Task.FromResult(CpuBoundDemo.Run(RunSize.Tour, Console.Out))),
    ("Heavy preprocessing", "ProcessPoolExecutor", "HeavyPreprocessing", () => Task.FromResult(HeavyPreprocessingDemo.Run(RunSize.Tour, Console.Out))),
    ("I/O-bound (network, disk)", "ThreadPoolExecutor or asyncio", "IoBoundWithThreads", () => IoBoundDemo.RunAsync(RunSize.Tour, Console.Out)),
    ("C-extension heavy (NumPy, Torch)", "ThreadPoolExecutor", "NativeCodeReleasesGil", () => Task.FromResult(NativeCodeDemo.Run(RunSize.Tour, Console.Out))),
    ("GUI / server responsiveness", "ThreadPoolExecutor", "Responsiveness", () => Task.FromResult(ResponsivenessDemo.Run(RunSize.Tour, Console.Out))),
    ("Massive concurrency (I/O)", "asyncio", "MassiveIoWithAsync", () => MassiveIoDemo.RunAsync(RunSize.Tour, Console.Out)),
    ("Shared memory, no GIL (future Python)", "ThreadPoolExecutor", "FreeThreaded", () => Task.FromResult(FreeThreadedDemo.Run(RunSize.Tour, Console.Out))),
];

var summary = new TextTable("Workload Type", "Best Tool (seed)", "Measured here", "CPU capacity", "Holds here?", "Sample");
for (int i = 0; i < rows.Length; i++)
{
    var row = rows[i];
    Console.WriteLine($"== {i + 1}/{rows.Length}. {row.Workload} -> {row.BestTool}");
    var watch = Stopwatch.StartNew();
    RowResult result;
    try
    {
        result = await row.Run();
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        // A failed row is reported as failed, not hidden: the tour carries on with the others.
        Console.WriteLine($"  FAILED: {e.GetType().Name}: {e.Message}");
        result = new RowResult($"failed: {e.GetType().Name}", null);
    }

    Console.WriteLine($"  (row took {watch.Elapsed.TotalSeconds:F1} s)");
    Console.WriteLine();
    string holds = result.Holds switch
    {
        true => "yes",
        false => "no",
        null when result.Capacity is not null => "can't tell (busy machine)",
        null => "not measured",
    };
    summary.Add(row.Workload, row.BestTool, result.Measured, result.Capacity is { } c ? $"{c:F2}" : "-", holds, $"samples/{row.Sample}");
}

Console.WriteLine("== The seed's summary table, with what this run measured");
summary.WriteTo(Console.Out);
Console.WriteLine();
Console.WriteLine($"\"x\" = times faster than the same work done serially; p99 = 99th percentile. CPU capacity: the lower of two checks, before and after each");
Console.WriteLine($"row whose claim is a parallel speedup (2.00 = two idle CPUs); below {RowResult.MinimumCapacity:F1} such a row cannot be decided: the machine could not run two CPU-bound threads at once.");
Console.WriteLine($"\"Holds here?\" is decided by each sample from its own figures (see samples/README.md for the rule of each row). Tour took {tour.Elapsed.TotalSeconds:F1} s.");
