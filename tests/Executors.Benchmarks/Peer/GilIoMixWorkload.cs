using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>gil_io_mix</c>: two threads run the CPU loop under one emulated lock while a third does
/// 200 × <see cref="Gil.Sleep"/>(1 ms), which releases the lock while it sleeps as <c>time.sleep</c>
/// does, and records how late each wake-up is (the convoy effect, bpo-7946); then a control run with
/// no CPU threads. Same shape as CPython's <c>_gil_io_once</c>.
/// </summary>
internal sealed class GilIoMixWorkload : IPeerWorkload
{
    private const int Sleeps = 200;
    private static readonly TimeSpan s_sleep = TimeSpan.FromMilliseconds(1);

    /// <inheritdoc/>
    public string Name => "gil_io_mix";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        foreach ((string label, int cpuThreads) in new[] { ("control_0cpu", 0), ("cpu2", 2) })
        {
            (List<double> extra, double elapsed, GilStatistics stats) = RunOnce(cpuThreads);
            result.Figures[$"{label}_median_extra_ms"] = ProcessPoolPeer.Median(extra);
            result.Figures[$"{label}_p99_extra_ms"] = ProcessPoolPeer.Percentile(extra, 99);
            result.Figures[$"{label}_max_extra_ms"] = extra.Max();
            result.Figures[$"{label}_total_s"] = elapsed;
            result.Info[$"{label}_switches"] = stats.Switches;
            result.Info[$"{label}_drop_requests"] = stats.DropRequests;
            result.Info[$"{label}_forced"] = stats.ForcedSwitches;
        }

        result.Info["sleeps"] = Sleeps;
        result.Info["sleep_ms"] = 1;
        result.Info["cpu_threads"] = 2;
        result.Info["switchinterval_s"] = new GilOptions().SwitchInterval.TotalSeconds;
        result.Info["extra"] = "Stopwatch delta around Gil.Sleep(1 ms) minus 1 ms; the sleeper holds the emulated lock between sleeps";
        result.Info["gil"] = "GlobalInterpreterLock with default GilOptions (5 ms, CPythonLike handoff, bias 0.5, direct handoff, forced switching)";
    }

    private static (List<double> Extra, double Elapsed, GilStatistics Stats) RunOnce(int cpuThreads)
    {
        var gil = new GlobalInterpreterLock();
        using var stop = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, cpuThreads).Select(i => new Thread(() =>
        {
            using (gil.Acquire())
            {
                while (!stop.IsSet)
                {
                    GilTasks.BurnWithCheckpoints(100_000);
                }
            }
        })
        { IsBackground = true, Name = $"gil_io_mix cpu {i}" }).ToList();
        workers.ForEach(t => t.Start());
        Thread.Sleep(50);   // let the CPU threads get going, as the Python side does

        var extra = new List<double>(Sleeps);
        var io = new Thread(() =>
        {
            using (gil.Acquire())
            {
                for (int i = 0; i < Sleeps; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    Gil.Sleep(s_sleep);
                    extra.Add((Stopwatch.GetElapsedTime(t0) - s_sleep).TotalMilliseconds);
                }
            }
        })
        { Name = "gil_io_mix io" };

        long start = Stopwatch.GetTimestamp();
        io.Start();
        io.Join();
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        GilStatistics stats = gil.GetStatistics();
        stop.Set();
        workers.ForEach(t => t.Join());
        return (extra, elapsed, stats);
    }
}
