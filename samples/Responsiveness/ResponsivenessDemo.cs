using System.Diagnostics;
using Executors;
using Samples.Shared;

namespace Samples.Responsiveness;

/// <summary>
/// "You gain lower latency, not higher throughput": a main loop (<see cref="MainLoop"/>) keeps running
/// frames while a heavy job runs inline, on a <see cref="ThreadPoolExecutor"/> that shares the main
/// thread's emulated GIL (with pure-Python work, and with native work that releases the GIL), on a
/// plain .NET thread, and in a worker process. Measured: the frames' latency and the job's duration.
/// </summary>
public static class ResponsivenessDemo
{
    private const int ClickFrame = 5;
    private const int FramesAfterInlineJob = 5;
    private const int IdleFrames = 30;

    /// <summary>Runs the comparison, prints what was measured, and returns the tour's summary.</summary>
    public static RowResult Run(RunSize size, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        long jobIterations = size == RunSize.Tour ? 1_000_000_000 : 3_000_000_000;
        int nativeRounds = size == RunSize.Tour ? 4 : 10;
        byte[][] blocks = Corpus.TextBlocks(8, 2 << 20, seed: 5);
        output.WriteLine($"Responsiveness: a main loop with a frame due every {MainLoop.FramePeriod.TotalMilliseconds:F0} ms (each frame: ~0.2 ms of interpreted work), while one heavy job runs:");
        output.WriteLine($"pure-Python CPU ({jobIterations:N0} iterations of the checkpointed loop) or native work ({nativeRounds} x 8 blocks of 2 MiB compressed and hashed, with the GIL released).");

        PythonLikeWork.Burn(MainLoop.FrameIterations); // JIT
        PythonLikeWork.CompressAndHash(blocks[0]);
        var table = new TextTable("where the heavy job runs", "frames", "frame latency median", "p99", "max", "job took");

        // Baseline: nothing in the background.
        Add(table, "nowhere (idle loop, for reference)", MainLoop.Run(gil: null, stop: frame => frame >= IdleFrames), null);

        // 1. Inline: the click handler runs the job on the main thread; that frame waits for all of it.
        TimeSpan inlineJob = TimeSpan.Zero;
        int? jobDoneAt = null;
        List<double> inline = MainLoop.Run(
            gil: null,
            stop: frame => frame >= jobDoneAt + FramesAfterInlineJob, // false until the job has run
            onFrame: frame =>
            {
                if (frame == ClickFrame)
                {
                    inlineJob = Measure.Time(() => { PythonLikeWork.Burn(jobIterations); });
                    jobDoneAt = frame;
                }
            });
        Add(table, "inline, on the main thread", inline, inlineJob);

        // 2-3. A thread pool in the main thread's interpreter: one emulated GIL shared by both.
        var gil = new GlobalInterpreterLock();
        List<double> convoy;
        TimeSpan convoyJob;
        List<double> released;
        TimeSpan releasedJob;
        using (var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, GilMode = GilMode.Emulated, GilLock = gil }))
        {
            (convoy, convoyJob) = InBackground(gil, () => executor.Submit(() => Timed(() => PythonLikeWork.Burn(jobIterations))));
            Add(table, "ThreadPoolExecutor(1), same GIL, pure-Python job", convoy, convoyJob);
            GilStatistics convoyGil = gil.GetStatistics();

            gil.ResetStatistics();
            (released, releasedJob) = InBackground(gil, () => executor.Submit(() => Timed(() => CompressAndHashAll(blocks, nativeRounds))));
            Add(table, "ThreadPoolExecutor(1), same GIL, native job (releases it)", released, releasedJob);
            output.WriteLine($"  (pure-Python job under the shared GIL: {convoyGil.Switches:N0} switches, {convoyGil.DropRequests:N0} drop requests; waits for the lock: p50 {convoyGil.WaitP50.TotalMilliseconds:F1} ms, p99 {convoyGil.WaitP99.TotalMilliseconds:F1} ms)");
        }

        // 4. No GIL: plain .NET threads (what C# code gets without the emulation).
        using (var executor = new ThreadPoolExecutor(maxWorkers: 1))
        {
            (List<double> plain, TimeSpan plainJob) = InBackground(null, () => executor.Submit(() => Timed(() => PythonLikeWork.Burn(jobIterations))));
            Add(table, "ThreadPoolExecutor(1), no GIL (plain .NET), same loop", plain, plainJob);
        }

        // 5. A worker process: its own interpreter; the main thread's GIL is not involved.
        List<double> process;
        using (var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = 1, WorkerGil = new GilOptions() }))
        {
            pool.Submit(ResponsivenessDemo.WarmUp).GetResult(TimeSpan.FromMinutes(1)); // start the worker first
            TimeSpan processJob;
            (process, processJob) = InBackground(gil, () => pool.Submit(BurnTimed, jobIterations));
            Add(table, "ProcessPoolExecutor(1), pure-Python job", process, processJob);
        }

        table.WriteTo(output);
        output.WriteLine($"  Frame latency: from the moment a frame is due to the end of its work. Job took: measured inside the job, start to end.");
        output.WriteLine($"  Same GIL: the main thread holds the emulated lock while it runs a frame and releases it while it sleeps (Gil.Sleep); a worker of the");
        output.WriteLine($"  same interpreter must hand it over, which takes up to a switch interval (5 ms) each time the main thread wakes up: the convoy.");
        output.WriteLine();

        LatencySummary convoyLatency = LatencySummary.Of(convoy);
        LatencySummary releasedLatency = LatencySummary.Of(released);
        LatencySummary processLatency = LatencySummary.Of(process);
        double inlineMax = LatencySummary.Of(inline).MaxMs;
        return new RowResult(
            $"frame p99: inline {inlineMax:F0} ms; thread, same GIL: {convoyLatency.P99Ms:F1} ms pure-Python, {releasedLatency.P99Ms:F1} ms native; process {processLatency.P99Ms:F1} ms",
            convoyLatency.P99Ms < inlineMax / 10 && releasedLatency.P99Ms < inlineMax / 10);
    }

    /// <summary>Runs the main loop until the job submitted by <paramref name="submit"/> is done.</summary>
    private static (List<double> Latencies, TimeSpan Job) InBackground(GlobalInterpreterLock? gil, Func<Future<double>> submit)
    {
        Future<double> job = submit();
        List<double> latencies = MainLoop.Run(gil, stop: _ => job.IsDone);
        return (latencies, TimeSpan.FromSeconds(job.GetResult(TimeSpan.FromMinutes(5))));
    }

    private static void CompressAndHashAll(byte[][] blocks, int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            foreach (byte[] block in blocks)
            {
                PythonLikeWork.CompressAndHash(block);
            }
        }
    }

    private static double Timed(Action work)
    {
        long start = Stopwatch.GetTimestamp();
        work();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The pure-Python job as run in a worker process: returns its own duration in seconds.</summary>
    private static double BurnTimed(long iterations) => Timed(() => PythonLikeWork.Burn(iterations));

    private static int WarmUp()
    {
        PythonLikeWork.Burn(1_000_000);
        return Environment.ProcessId;
    }

    private static void Add(TextTable table, string where, List<double> latencies, TimeSpan? job)
    {
        LatencySummary summary = LatencySummary.Of(latencies);
        table.Add(
            where,
            $"{summary.Count}",
            $"{summary.MedianMs:F2} ms",
            $"{summary.P99Ms:F2} ms",
            $"{summary.MaxMs:F1} ms",
            job is { } j ? $"{j.TotalSeconds:F2} s" : "-");
    }
}
