namespace Executors.Internal;

/// <summary>
/// The single place where this library blocks a thread while waiting for something another thread
/// will do (a future to complete, a waiter to be signalled, a worker to exit).
/// </summary>
/// <remarks>
/// Every blocking wait goes through here so that cross-cutting policy has one home: the GIL
/// emulation releases the emulated lock around these waits, as CPython does when a thread blocks
/// on a lock (otherwise a task waiting on another task would deadlock the emulated interpreter).
/// Waits longer than <see cref="int.MaxValue"/> milliseconds are split, because the BCL primitives
/// take an <see cref="int"/>.
/// </remarks>
internal static class Blocking
{
    /// <summary>Blocks until <paramref name="signal"/> is set or <paramref name="deadline"/> passes.</summary>
    /// <returns><see langword="true"/> if the event was set; <see langword="false"/> on timeout.</returns>
    public static bool Wait(ManualResetEventSlim signal, Deadline deadline)
    {
        if (signal.IsSet)
        {
            return true;
        }

        while (true)
        {
            if (signal.Wait(deadline.RemainingMilliseconds))
            {
                return true;
            }

            if (deadline.HasExpired)
            {
                return false;
            }
        }
    }

    /// <summary>Blocks until a count of <paramref name="semaphore"/> is taken or <paramref name="deadline"/> passes.</summary>
    /// <returns><see langword="true"/> if a count was taken; <see langword="false"/> on timeout.</returns>
    public static bool Wait(SemaphoreSlim semaphore, Deadline deadline)
    {
        while (true)
        {
            if (semaphore.Wait(deadline.RemainingMilliseconds))
            {
                return true;
            }

            if (deadline.HasExpired)
            {
                return false;
            }
        }
    }

    /// <summary>Blocks until <paramref name="thread"/> has exited.</summary>
    public static void Join(Thread thread) => thread.Join();
}
