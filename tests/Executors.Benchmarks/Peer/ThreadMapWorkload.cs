using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>thread_map</c>: a <see cref="ThreadPoolExecutor"/> of 4 workers; <c>Map(x => x, 0..99,999)</c>
/// materialized into a list. The pool is created before timing and shut down after it.
/// </summary>
internal sealed class ThreadMapWorkload : IPeerWorkload
{
    private const int Workers = 4;

    /// <inheritdoc/>
    public string Name => "thread_map";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        // Untimed warm-up (JIT, tiering) in its own pool.
        RunMap(PeerTiming.WarmupTasks);

        double seconds = RunMap(PeerTiming.Tasks);
        result.Figures[$"w{Workers}_tasks_per_s"] = PeerTiming.Tasks / seconds;

        // For scale: the same count of no-op items on the raw .NET ThreadPool limited to 4 workers.
        RawThreadPoolNoop.LimitWorkers(Workers);
        RawThreadPoolNoop.Run(PeerTiming.WarmupTasks);
        (double rawPerSecond, _) = RawThreadPoolNoop.Run(PeerTiming.Tasks);
        result.Info[$"raw_threadpool_w{Workers}_tasks_per_s"] = rawPerSecond;

        result.Info["tasks"] = PeerTiming.Tasks;
        result.Info["workers"] = Workers;
        result.Info["timed"] = "Map call .. list materialized (pool created before, shutdown after)";
        result.Info["warmup"] = PeerTiming.WarmupDescription;
        result.Info["raw_threadpool"] = "ThreadPool.UnsafeQueueUserWorkItem(countdown.Signal) x tasks, wait on the CountdownEvent; min = max worker threads = 4";
    }

    private static double RunMap(int tasks)
    {
        long t0, t1;
        List<int> results;
        using (var executor = new ThreadPoolExecutor(maxWorkers: Workers))
        {
            t0 = Stopwatch.GetTimestamp();
            results = executor.Map(static x => x, Enumerable.Range(0, tasks)).ToList();
            t1 = Stopwatch.GetTimestamp();
        }

        if (results.Count != tasks || results[^1] != tasks - 1)
        {
            throw new InvalidOperationException("Map returned wrong results.");
        }

        return PeerTiming.Seconds(t0, t1);
    }
}
