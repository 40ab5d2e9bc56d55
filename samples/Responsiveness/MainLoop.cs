using System.Diagnostics;
using Executors;
using Samples.Shared;

namespace Samples.Responsiveness;

/// <summary>
/// A GUI-style main loop: every 10 ms a frame is due, and the main thread does a little
/// "interpreted" work for it (about 0.2 ms of <see cref="PythonLikeWork.Burn"/>). Its latency is the
/// time from the moment a frame is due to the moment its work is done: what a user feels.
/// </summary>
public static class MainLoop
{
    /// <summary>How often a frame is due.</summary>
    public static readonly TimeSpan FramePeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>The work of one frame: about 0.2 ms of the loop here.</summary>
    public const long FrameIterations = 500_000;

    /// <summary>
    /// Runs frames until <paramref name="stop"/> says so (checked after each frame), and returns each
    /// frame's latency in milliseconds.
    /// </summary>
    /// <param name="gil">
    /// The emulated interpreter the main thread belongs to (it holds the lock while it runs, and
    /// releases it while it sleeps, like CPython's main thread in <c>time.sleep</c>), or
    /// <see langword="null"/> for a plain .NET main thread.
    /// </param>
    /// <param name="stop">Whether to stop, given the number of frames run so far.</param>
    /// <param name="onFrame">Optional extra work for a frame, given its number (for example a click handler).</param>
    public static List<double> Run(GlobalInterpreterLock? gil, Func<int, bool> stop, Action<int>? onFrame = null)
    {
        ArgumentNullException.ThrowIfNull(stop);
        using GilHold hold = gil?.Acquire() ?? default;
        var latencies = new List<double>();
        long period = (long)(FramePeriod.TotalSeconds * Stopwatch.Frequency);
        long due = Stopwatch.GetTimestamp() + period;
        for (int frame = 0; !stop(frame); frame++)
        {
            TimeSpan idle = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (idle > TimeSpan.Zero)
            {
                // time.sleep: the lock is released while the main thread idles. Rounded up to whole
                // milliseconds, because Thread.Sleep would round down and wake the loop early.
                Gil.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(idle.TotalMilliseconds)));
            }

            onFrame?.Invoke(frame);
            PythonLikeWork.Burn(FrameIterations);
            latencies.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);

            // The next frame is due one period later, or now if this one overran.
            due = Math.Max(due + period, Stopwatch.GetTimestamp());
        }

        return latencies;
    }
}
