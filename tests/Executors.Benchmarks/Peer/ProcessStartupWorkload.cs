using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>process_startup</c>: construct a 2-worker <see cref="ProcessPoolExecutor"/>, submit two tasks
/// returning the worker's process id, and keep two in flight until both workers have answered; time
/// the first result, both workers answering, and <c>Shutdown(wait: true)</c>. Five repetitions; the
/// figures are their medians.
/// </summary>
/// <remarks>
/// Python reports <c>spawn_</c> and <c>fork_</c> variants; .NET only has spawn (a fresh process per
/// worker), so our figures compare with Python's <c>spawn_</c> ones.
/// </remarks>
internal sealed class ProcessStartupWorkload : IPeerWorkload
{
    private const int Reps = 5;

    /// <inheritdoc/>
    public string Name => "process_startup";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        // Untimed first repetition: JIT-compiles the pool's start-up path in this process (a real app
        // pays that once); the workers are fresh processes every time, so their start-up is in every figure.
        Rep cold = RunOnce();

        var reps = new List<Rep>(Reps);
        for (int i = 0; i < Reps; i++)
        {
            reps.Add(RunOnce());
        }

        result.Figures["first_result_ms"] = ProcessPoolPeer.Median(reps.Select(r => r.FirstMs));
        result.Figures["both_workers_ms"] = ProcessPoolPeer.Median(reps.Select(r => r.BothMs));
        result.Figures["shutdown_ms"] = ProcessPoolPeer.Median(reps.Select(r => r.ShutdownMs));

        result.Info["reps_per_run"] = Reps;
        result.Info["figure"] = "median of reps within this run";
        result.Info["workers"] = ProcessPoolPeer.Workers;
        result.Info["extra_tasks_needed"] = string.Join(", ", reps.Select(r => r.Extra));
        result.Info["first_result_ms_all"] = string.Join(", ", reps.Select(r => r.FirstMs.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)));
        result.Info["both_workers_ms_all"] = string.Join(", ", reps.Select(r => r.BothMs.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)));
        result.Info["jit_warmup"] = "one untimed repetition first (parent-side JIT); its figures are cold_*";
        result.Info["cold_first_result_ms"] = cold.FirstMs;
        result.Info["cold_both_workers_ms"] = cold.BothMs;
        result.Info["cold_shutdown_ms"] = cold.ShutdownMs;
        result.Info["timed"] = "from the constructor call; tasks return Environment.ProcessId; two kept in flight (Futures.Wait FirstCompleted) until 2 distinct pids; then Shutdown(wait: true)";
        result.Info["compare_with"] = "Python's spawn_first_result_ms, spawn_both_workers_ms, spawn_shutdown_ms (.NET workers are always fresh processes, like spawn)";
    }

    private static Rep RunOnce()
    {
        long t0 = Stopwatch.GetTimestamp();
        var executor = new ProcessPoolExecutor(maxWorkers: ProcessPoolPeer.Workers);
        try
        {
            var inflight = new HashSet<Future<int>> { executor.Submit(ProcessTasks.PidFn), executor.Submit(ProcessTasks.PidFn) };
            var pids = new HashSet<int>();
            long? tFirst = null;
            int extra = 0;
            while (pids.Count < ProcessPoolPeer.Workers)
            {
                DoneAndNotDone waited = Futures.Wait(inflight, returnWhen: ReturnWhen.FirstCompleted);
                foreach (Future future in waited.Done)
                {
                    var typed = (Future<int>)future;
                    pids.Add(typed.GetResult());
                    inflight.Remove(typed);
                    tFirst ??= Stopwatch.GetTimestamp();
                }

                if (pids.Count < ProcessPoolPeer.Workers)
                {
                    // Keep both workers fed until the second one answers.
                    while (inflight.Count < ProcessPoolPeer.Workers)
                    {
                        inflight.Add(executor.Submit(ProcessTasks.PidFn));
                        extra++;
                    }
                }
            }

            long tBoth = Stopwatch.GetTimestamp();
            executor.Shutdown(wait: true);
            long tDown = Stopwatch.GetTimestamp();
            return new Rep(
                Stopwatch.GetElapsedTime(t0, tFirst!.Value).TotalMilliseconds,
                Stopwatch.GetElapsedTime(t0, tBoth).TotalMilliseconds,
                Stopwatch.GetElapsedTime(tBoth, tDown).TotalMilliseconds,
                extra);
        }
        finally
        {
            executor.Dispose();
        }
    }

    private readonly record struct Rep(double FirstMs, double BothMs, double ShutdownMs, int Extra);
}
