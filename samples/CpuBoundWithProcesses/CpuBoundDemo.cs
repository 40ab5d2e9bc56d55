using Executors;
using Samples.Shared;
using static Samples.Shared.ResultCheck;

namespace Samples.CpuBound;

/// <summary>
/// "Processes are for speed": the same CPU-bound tasks (<see cref="PythonLikeWork.Burn"/>, a loop that
/// reaches a GIL checkpoint every few microseconds) run serially, on two threads of one emulated
/// interpreter (CPython's GIL), on two plain .NET threads, and on two worker processes.
/// </summary>
public static class CpuBoundDemo
{
    private const int Workers = 2;

    /// <summary>Runs the comparison, prints what was measured, and returns the tour's summary.</summary>
    public static RowResult Run(RunSize size, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int tasks = size == RunSize.Tour ? 4 : 8;
        long iterations = size == RunSize.Tour ? 300_000_000 : 600_000_000;
        long[] args = Enumerable.Repeat(iterations, tasks).ToArray();
        output.WriteLine($"Pure CPU-bound: {tasks} tasks of {iterations:N0} iterations of s += i * i each.");

        PythonLikeWork.Burn(iterations / 100); // JIT the loop in this process
        var capacityCheck = CapacityCheck.Start();
        var table = new SpeedupTable();

        (long[] expected, TimeSpan serial) = Measure.Time(() => args.Select(PythonLikeWork.Burn).ToArray());
        table.AddSerialRun(serial);

        TimeSpan threads = Measure.Time(() =>
        {
            using var executor = new ThreadPoolExecutor(maxWorkers: Workers);
            Check(executor.Map(PythonLikeWork.Burn, args).ToArray(), expected);
        });

        // CPython's situation: both workers run in one emulated interpreter and take turns on its lock.
        GilStatistics? gil = null;
        TimeSpan threadsGil = Measure.Time(() =>
        {
            using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = Workers, GilMode = GilMode.Emulated });
            Check(executor.Map(PythonLikeWork.Burn, args).ToArray(), expected);
            gil = executor.GilLock!.GetStatistics();
        });

        table.Add($"ThreadPoolExecutor({Workers}), GIL emulated (CPython)", threadsGil);
        table.Add($"ThreadPoolExecutor({Workers}), no GIL (plain .NET threads)", threads);

        TimeSpan processesCold;
        TimeSpan processes;
        // Each worker process is its own emulated interpreter with its own GIL, as in CPython.
        using (var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = Workers, WorkerGil = new GilOptions() }))
        {
            // First Map: includes starting the workers (a fresh .NET process each) and JIT there.
            processesCold = Measure.Time(() => Check(pool.Map(PythonLikeWork.Burn, args).ToArray(), expected));

            // Second Map on the same, now warm, pool.
            processes = Measure.Time(() => Check(pool.Map(PythonLikeWork.Burn, args).ToArray(), expected));
        }

        table.Add($"ProcessPoolExecutor({Workers}), warm pool", processes);
        table.Add($"ProcessPoolExecutor({Workers}), first use (start-up included)", processesCold);
        table.AddSerialRun(Measure.Time(() => Check(args.Select(PythonLikeWork.Burn).ToArray(), expected)));
        table.WriteTo(output);
        double capacity = capacityCheck.End(output);
        output.WriteLine($"  GIL emulated: {gil!.Switches:N0} switches between the two workers, {gil.ForcedSwitches:N0} forced (a waiter asked, the holder dropped at a checkpoint), {gil.MeanHoldPerSwitch.TotalMilliseconds:F1} ms held per switch (the switch interval is 5 ms).");
        output.WriteLine("  Process pool: WorkerGil gives each worker process its own emulated GIL, as each CPython process has; nobody else wants it, so it never switches.");
        output.WriteLine("  Each row ran the same tasks and returned the same sums (checked). Process pool: the tasks are static-method calls shipped to the workers; only the iteration count travels.");
        output.WriteLine();

        double processSpeedup = table.Speedup(processes);
        double gilSpeedup = table.Speedup(threadsGil);
        return RowResult.ForParallelClaim(
            $"processes {processSpeedup:F2}x serial; threads under the GIL {gilSpeedup:F2}x",
            processSpeedup,
            gilSpeedup,
            capacity);
    }
}
