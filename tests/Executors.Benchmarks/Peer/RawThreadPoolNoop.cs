using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// The no-op workload on the raw .NET <see cref="ThreadPool"/>, for scale: queue <c>n</c> items with
/// <see cref="ThreadPool.UnsafeQueueUserWorkItem{TState}(Action{TState}, TState, bool)"/>, each
/// signalling a <see cref="CountdownEvent"/>, and wait for it. Timed like the executor runs.
/// </summary>
internal static class RawThreadPoolNoop
{
    private static readonly Action<CountdownEvent> s_signal = static countdown => countdown.Signal();

    /// <summary>
    /// Limits the process-wide ThreadPool to <paramref name="workers"/> worker threads (min = max), as
    /// far as the runtime allows; the maximum cannot go below the processor count.
    /// </summary>
    /// <param name="workers">The worker thread count wanted.</param>
    /// <returns>The (min, max) worker thread limits in force afterwards.</returns>
    public static (int Min, int Max) LimitWorkers(int workers)
    {
        ThreadPool.GetMinThreads(out int currentMin, out int ioMin);
        ThreadPool.GetMaxThreads(out _, out int ioMax);

        // Min may never exceed max: move them in the order that keeps min <= max at every step.
        if (workers >= currentMin)
        {
            ThreadPool.SetMaxThreads(workers, ioMax);
            ThreadPool.SetMinThreads(workers, ioMin);
        }
        else
        {
            ThreadPool.SetMinThreads(workers, ioMin);
            ThreadPool.SetMaxThreads(workers, ioMax);
        }

        ThreadPool.GetMinThreads(out int min, out _);
        ThreadPool.GetMaxThreads(out int max, out _);
        return (min, max);
    }

    /// <summary>Runs <paramref name="tasks"/> no-op items.</summary>
    /// <param name="tasks">How many items.</param>
    /// <returns>Tasks per second (first queue .. all done) and microseconds per task to queue them.</returns>
    public static (double TasksPerSecond, double SubmitOnlyMicrosecondsPerTask) Run(int tasks)
    {
        using var countdown = new CountdownEvent(tasks);
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < tasks; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(s_signal, countdown, preferLocal: false);
        }

        long tSubmitted = Stopwatch.GetTimestamp();
        countdown.Wait();
        long t1 = Stopwatch.GetTimestamp();
        return (tasks / PeerTiming.Seconds(t0, t1), PeerTiming.Seconds(t0, tSubmitted) / tasks * 1e6);
    }
}
