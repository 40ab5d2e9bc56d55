using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>thread_noop_submit</c>: a <see cref="ThreadPoolExecutor"/> of 2, then 4 workers; submit 100,000
/// no-op tasks (<c>Submit(x => x, i)</c>) and wait for all with <see cref="Futures.Wait"/>. The pool is
/// created before timing and shut down after it. Info adds the same on the raw .NET ThreadPool.
/// </summary>
internal sealed class ThreadNoopSubmitWorkload : IPeerWorkload
{
    private static readonly int[] s_workerCounts = [2, 4];

    /// <inheritdoc/>
    public string Name => "thread_noop_submit";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        // Untimed warm-up of both paths (JIT, tiering), each in its own pool.
        RunExecutor(2, PeerTiming.WarmupTasks);
        RawThreadPoolNoop.LimitWorkers(2);
        RawThreadPoolNoop.Run(PeerTiming.WarmupTasks);

        foreach (int workers in s_workerCounts)
        {
            (double perSecond, double submitUs) = RunExecutor(workers, PeerTiming.Tasks);
            result.Figures[$"w{workers}_tasks_per_s"] = perSecond;
            result.Figures[$"w{workers}_submit_only_us_per_task"] = submitUs;
        }

        // The raw ThreadPool after the executor runs: its threads stay alive once started.
        foreach (int workers in s_workerCounts)
        {
            (int min, int max) = RawThreadPoolNoop.LimitWorkers(workers);
            (double perSecond, double submitUs) = RawThreadPoolNoop.Run(PeerTiming.Tasks);
            result.Info[$"raw_threadpool_w{workers}_tasks_per_s"] = perSecond;
            result.Info[$"raw_threadpool_w{workers}_submit_only_us_per_task"] = submitUs;
            result.Info[$"raw_threadpool_w{workers}_thread_limits"] = $"min {min}, max {max}";
        }

        result.Info["tasks"] = PeerTiming.Tasks;
        result.Info["timed"] = "first submit .. all futures done (pool created before, shutdown after)";
        result.Info["wait"] = "Futures.Wait(futures), AllCompleted";
        result.Info["warmup"] = PeerTiming.WarmupDescription;
        result.Info["raw_threadpool"] = "ThreadPool.UnsafeQueueUserWorkItem(countdown.Signal) x tasks, wait on the CountdownEvent; min = max worker threads = w";
    }

    private static (double TasksPerSecond, double SubmitOnlyMicrosecondsPerTask) RunExecutor(int workers, int tasks)
    {
        long t0, tSubmitted, t1;
        Future<int>[] futures;
        using (var executor = new ThreadPoolExecutor(maxWorkers: workers))
        {
            t0 = Stopwatch.GetTimestamp();

            // Allocated inside the timed part, as Python's list comprehension is.
            futures = new Future<int>[tasks];
            for (int i = 0; i < tasks; i++)
            {
                futures[i] = executor.Submit(static x => x, i);
            }

            tSubmitted = Stopwatch.GetTimestamp();
            Futures.Wait(futures);
            t1 = Stopwatch.GetTimestamp();
        }

        if (futures[^1].GetResult() != tasks - 1)
        {
            throw new InvalidOperationException("The last task returned a wrong result.");
        }

        return (tasks / PeerTiming.Seconds(t0, t1), PeerTiming.Seconds(t0, tSubmitted) / tasks * 1e6);
    }
}
