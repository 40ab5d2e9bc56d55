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

        // E3 of the GIL model: a thread that blocks holding an emulated lock lets others run, as
        // CPython's lock.acquire() does; a no-op (one thread-static read) when there is no lock.
        using GilReleaseScope gil = Gil.Release();
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
        if (semaphore.Wait(0))
        {
            return true;
        }

        using GilReleaseScope gil = Gil.Release();
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
    public static void Join(Thread thread)
    {
        using GilReleaseScope gil = Gil.Release();
        thread.Join();
    }

    /// <summary>
    /// Parks an idle worker on its queue's semaphore: like <c>queue.get()</c> in a CPython worker, the
    /// wait releases an emulated lock, so an idle worker never holds it.
    /// </summary>
    /// <returns><see langword="true"/> if a count was taken; <see langword="false"/> on timeout.</returns>
    public static bool Park(SemaphoreSlim semaphore, int timeoutMilliseconds)
    {
        using GilReleaseScope gil = Gil.Release();
        return semaphore.Wait(timeoutMilliseconds);
    }
}
