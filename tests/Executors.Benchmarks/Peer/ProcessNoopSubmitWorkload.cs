using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>process_noop_submit</c>: a <see cref="ProcessPoolExecutor"/> of 2 workers, warmed until both
/// answered; submit 20,000 no-op tasks (<c>Submit(Noop, i)</c>) one by one and wait for all with
/// <see cref="Futures.Wait"/>. The pool is created before timing and shut down after it.
/// </summary>
/// <remarks>
/// Python reports <c>fork_</c> and <c>spawn_</c> variants; .NET only has spawn (a fresh process per
/// worker), so our <c>tasks_per_s</c> compares with Python's <c>spawn_tasks_per_s</c>.
/// </remarks>
internal sealed class ProcessNoopSubmitWorkload : IPeerWorkload
{
    private const int Tasks = 20_000;

    /// <inheritdoc/>
    public string Name => "process_noop_submit";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        using (var executor = new ProcessPoolExecutor(maxWorkers: ProcessPoolPeer.Workers))
        {
            ProcessPoolPeer.WarmPool(executor);

            // Untimed first run in the same pool: JIT-compiles the submit path here and the task path in both workers.
            (double firstPerSecond, double firstSubmitUs) = RunOnce(executor);
            (double perSecond, double submitUs) = RunOnce(executor);
            result.Figures["tasks_per_s"] = perSecond;
            result.Figures["submit_only_us_per_task"] = submitUs;
            result.Info["first_run_tasks_per_s"] = firstPerSecond;
            result.Info["first_run_submit_only_us_per_task"] = firstSubmitUs;
        }

        result.Info["tasks"] = Tasks;
        result.Info["workers"] = ProcessPoolPeer.Workers;
        result.Info["warmup"] = ProcessPoolPeer.WarmupDescription;
        result.Info["jit_warmup"] = $"one untimed run of the same {Tasks:N0} tasks in the same pool after warm_pool; its figures are first_run_*";
        result.Info["timed"] = "first submit .. all futures done (pool created and warmed before, shutdown after)";
        result.Info["wait"] = "Futures.Wait(futures), AllCompleted";
        result.Info["compare_with"] = "Python's spawn_tasks_per_s and spawn_submit_only_us_per_task (.NET workers are always fresh processes, like spawn)";
    }

    private static (double TasksPerSecond, double SubmitOnlyMicrosecondsPerTask) RunOnce(ProcessPoolExecutor executor)
    {
        long t0 = Stopwatch.GetTimestamp();

        // Allocated inside the timed part, as Python's list comprehension is.
        var futures = new Future<int>[Tasks];
        for (int i = 0; i < Tasks; i++)
        {
            futures[i] = executor.Submit(ProcessTasks.NoopFn, i);
        }

        long tSubmitted = Stopwatch.GetTimestamp();
        Futures.Wait(futures);
        long t1 = Stopwatch.GetTimestamp();
        if (futures[^1].GetResult() != Tasks - 1)
        {
            throw new InvalidOperationException("The last task returned a wrong result.");
        }

        return (Tasks / PeerTiming.Seconds(t0, t1), PeerTiming.Seconds(t0, tSubmitted) / Tasks * 1e6);
    }
}
