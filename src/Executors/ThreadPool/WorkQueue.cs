using System.Collections.Concurrent;

namespace Executors;

/// <summary>
/// The thread pool's queue: a lock-free FIFO of work items plus the parking protocol of its idle workers.
/// </summary>
/// <remarks>
/// <para>
/// A worker that finds the queue empty spins briefly, then <em>registers</em> as idle (increments
/// <see cref="_idleWorkers"/>), re-checks the queue and parks on <see cref="_wake"/>. A producer that
/// has enqueued claims one registration (decrements the count) and releases one permit. A worker in
/// the parking section therefore always holds either a registration or a permit owed to it; that
/// invariant is what makes the protocol free of lost wake-ups: registration and the producer's claim
/// are both full fences (Interlocked), so either the worker's re-check sees the item or the producer
/// sees the registration (Dekker's pattern).
/// </para>
/// <para>
/// The count of registrations doubles as CPython's "idle semaphore": a producer that can claim none
/// knows no worker is idle and asks the executor for a new thread.
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The semaphore's wait handle is never requested, so it owns no OS resource; a worker may still be leaving Wait when the executor is done.")]
internal sealed class WorkQueue
{
    /// <summary>
    /// Spins before parking. A producer submitting a burst enqueues again within microseconds;
    /// catching that item while spinning saves the producer a semaphore release and the worker a
    /// futex wake-up. Kept short because on a 2-core machine spinning takes CPU from the producer.
    /// </summary>
    private const int SpinIterationsBeforeParking = 10;

    private static readonly bool s_canSpin = Environment.ProcessorCount > 1;

    private readonly ConcurrentQueue<IWorkItem> _items = new();

    /// <summary>Permits for parked workers: one per claimed registration.</summary>
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Workers registered as idle and not yet claimed by a producer; changed only with Interlocked.</summary>
    private int _idleWorkers;

    /// <summary>Set once by <see cref="Complete"/>: no more items will be added; workers exit when the queue is empty.</summary>
    private volatile bool _completed;

    /// <summary>Gets a value indicating whether the queue holds no item right now.</summary>
    public bool IsEmpty => _items.IsEmpty;

    /// <summary>Gets the number of workers registered as idle, for tests and diagnostics.</summary>
    public int IdleWorkerCount => Volatile.Read(ref _idleWorkers);

    /// <summary>Adds an item. The caller then calls <see cref="TryWakeIdleWorker"/> or starts a worker.</summary>
    public void Enqueue(IWorkItem item) => _items.Enqueue(item);

    /// <summary>Claims an idle worker and wakes it.</summary>
    /// <returns><see langword="true"/> if an idle worker was claimed; <see langword="false"/> if none is idle.</returns>
    public bool TryWakeIdleWorker()
    {
        if (!TryClaimRegistration())
        {
            return false;
        }

        _wake.Release();
        return true;
    }

    /// <summary>Removes and returns every queued item (shutdown with cancelFutures, or a broken pool).</summary>
    public List<IWorkItem> DrainAll()
    {
        var drained = new List<IWorkItem>();
        while (_items.TryDequeue(out IWorkItem? item))
        {
            drained.Add(item);
        }

        return drained;
    }

    /// <summary>Marks the queue complete and wakes every parked worker so that it can drain and exit.</summary>
    public void Complete()
    {
        // The volatile write comes before the Exchange (a full fence): a worker that registers after
        // the Exchange reads _completed as true on its re-check.
        _completed = true;
        int parked = Interlocked.Exchange(ref _idleWorkers, 0);
        if (parked > 0)
        {
            _wake.Release(parked);
        }
    }

    /// <summary>
    /// Takes the next item, blocking while the queue is empty.
    /// </summary>
    /// <param name="idleTimeoutMilliseconds">How long to stay parked without work; <see cref="Timeout.Infinite"/> for ever.</param>
    /// <param name="idleTimedOut">Set when the call returns <see langword="null"/> because the idle timeout passed.</param>
    /// <returns>The next item, or <see langword="null"/> when the queue is complete and empty, or the idle timeout passed.</returns>
    public IWorkItem? Take(int idleTimeoutMilliseconds, out bool idleTimedOut)
    {
        idleTimedOut = false;
        while (true)
        {
            if (_items.TryDequeue(out IWorkItem? item) || TrySpinForItem(out item))
            {
                return item;
            }

            if (_completed)
            {
                // Complete() is only called once no producer can enqueue: an empty queue stays empty.
                return _items.TryDequeue(out item) ? item : null;
            }

            Interlocked.Increment(ref _idleWorkers);

            // Re-check after registering (see the class remarks): an item enqueued before our
            // registration became visible was not followed by a wake-up meant for us.
            if (_items.TryDequeue(out item))
            {
                LeaveParking();
                return item;
            }

            if (_completed)
            {
                LeaveParking();
                continue;
            }

            if (!_wake.Wait(idleTimeoutMilliseconds))
            {
                if (TryClaimRegistration())
                {
                    idleTimedOut = true;
                    return null;
                }

                // A producer claimed our registration just as we timed out: its permit is ours.
                _wake.Wait();
            }
        }
    }

    private static bool TrySpinForItemCore(ConcurrentQueue<IWorkItem> items, out IWorkItem? item)
    {
        var spinner = default(SpinWait);
        for (int i = 0; i < SpinIterationsBeforeParking; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (items.TryDequeue(out item))
            {
                return true;
            }
        }

        item = null;
        return false;
    }

    private bool TrySpinForItem(out IWorkItem? item)
    {
        if (s_canSpin && !_completed)
        {
            return TrySpinForItemCore(_items, out item);
        }

        item = null;
        return false;
    }

    /// <summary>Leaves the parking section without sleeping: drop a registration, or take the permit owed for a claimed one.</summary>
    private void LeaveParking()
    {
        if (!TryClaimRegistration())
        {
            // Every registration was claimed, so a producer has released (or is about to release) a
            // permit for one of them: consume it, or a later Wait would return spuriously.
            _wake.Wait();
        }
    }

    private bool TryClaimRegistration()
    {
        int idle = Volatile.Read(ref _idleWorkers);
        while (idle > 0)
        {
            int seen = Interlocked.CompareExchange(ref _idleWorkers, idle - 1, idle);
            if (seen == idle)
            {
                return true;
            }

            idle = seen;
        }

        return false;
    }
}
