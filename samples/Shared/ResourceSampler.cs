using System.Diagnostics;

namespace Samples.Shared;

/// <summary>
/// Samples this process's thread count and working set (and its CPU time) every few milliseconds on its own thread, and
/// keeps the peaks: what a thread per waiting operation costs, beside what <c>await</c> costs.
/// </summary>
public sealed class ResourceSampler : IDisposable
{
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly TimeSpan _period;
    private readonly TimeSpan _startCpu;
    private int _peakThreads;
    private long _peakWorkingSet;

    private ResourceSampler(TimeSpan period)
    {
        _period = period;
        using (var self = Process.GetCurrentProcess())
        {
            StartThreads = self.Threads.Count;
            StartWorkingSet = self.WorkingSet64;
            _startCpu = self.TotalProcessorTime;
        }

        _peakThreads = StartThreads;
        _peakWorkingSet = StartWorkingSet;
        _thread = new Thread(Run) { IsBackground = true, Name = "resource-sampler" };
        _thread.Start();
    }

    /// <summary>Gets the thread count when sampling started.</summary>
    public int StartThreads { get; }

    /// <summary>Gets the working set, in bytes, when sampling started.</summary>
    public long StartWorkingSet { get; }

    /// <summary>Gets the largest thread count seen (this sampler's own thread not counted).</summary>
    public int PeakThreads => Volatile.Read(ref _peakThreads) - 1;

    /// <summary>Gets the largest working set seen, in bytes.</summary>
    public long PeakWorkingSet => Volatile.Read(ref _peakWorkingSet);

    /// <summary>Gets the CPU time (user + system, all threads) this process has used since sampling started.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime - _startCpu;
        }
    }

    /// <summary>Starts sampling every <paramref name="period"/> (default 10 ms).</summary>
    public static ResourceSampler Start(TimeSpan? period = null) => new(period ?? TimeSpan.FromMilliseconds(10));

    /// <summary>Stops sampling, and waits for the sampling thread to end.</summary>
    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        using var self = Process.GetCurrentProcess();
        do
        {
            self.Refresh();
            Volatile.Write(ref _peakThreads, Math.Max(_peakThreads, self.Threads.Count));
            Volatile.Write(ref _peakWorkingSet, Math.Max(_peakWorkingSet, self.WorkingSet64));
        }
        while (!_stop.Wait(_period));
    }
}
