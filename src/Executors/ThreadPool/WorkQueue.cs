using System.Collections.Concurrent;
using Executors.Internal;

namespace Executors;

/// <summary>
/// The thread pool's queue: a lock-free FIFO of work items plus the protocol by which producers find
/// (or fail to find) a worker that will take a new item.
/// </summary>
/// <remarks>
/// <para>
/// A worker is in one of three places: <b>busy</b> running an item; <b>available</b>, from just
/// before it completes an item's future until it either takes another item or parks; or <b>parked</b>.
/// Two counters track the last two:
/// </para>
/// <list type="bullet">
/// <item><see cref="_availableWorkers"/>: a producer starts no thread while there are at least as
/// many available workers as queued items, because an available worker always looks at the queue
/// again before it parks. Producers only read it: a worker gives up its own token.</item>
/// <item><see cref="_idleWorkers"/>: a worker about to park registers (increments), re-checks the
/// queue, and sleeps on <see cref="_wake"/>. A producer that claims a registration releases one permit.
/// A parked worker therefore always holds a registration or a permit owed to it.</item>
/// </list>
/// <para>
/// Every claim, token change and registration is an Interlocked operation (a full fence), and each worker
/// re-checks the queue <em>after</em> giving up a token, so either the worker sees the new item or
/// the producer sees the token (Dekker's pattern): no wake-up is lost and no item is stranded. A
/// producer that finds neither knows that no worker is idle (CPython's idle semaphore) and asks
/// the executor for a new thread. The available count is what keeps strictly sequential
/// submit-then-wait work on one thread: the caller is woken by the future before the worker parks.
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The semaphore's wait handle is never requested, so it owns no OS resource; a worker may still be leaving Wait when the executor is done.")]
internal sealed class WorkQueue : IWorkerAvailability
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

    /// <summary>Workers registered as parked and not yet claimed by a producer; changed only with Interlocked.</summary>
    private int _idleWorkers;

    /// <summary>Workers between finishing an item and taking the next or parking; changed only by the workers themselves, with Interlocked.</summary>
    private int _availableWorkers;

    /// <summary>Set once by <see cref="Complete"/>: no more items will be added; workers exit when the queue is empty.</summary>
    private volatile bool _completed;

    /// <summary>Gets a value indicating whether the queue holds no item right now.</summary>
    public bool IsEmpty => _items.IsEmpty;

    /// <summary>Gets the number of parked workers not yet claimed, for tests and diagnostics.</summary>
    public int IdleWorkerCount => Volatile.Read(ref _idleWorkers);

    /// <summary>Adds an item. The caller then wakes a parked worker, or starts one if <see cref="NeedsAnotherWorker"/>.</summary>
    public void Enqueue(IWorkItem item) => _items.Enqueue(item);

    /// <summary>Counts the calling worker as available; work items call it just before completing their future.</summary>
    public void MarkWorkerAvailable() => Interlocked.Increment(ref _availableWorkers);

    /// <summary>Takes back one <see cref="MarkWorkerAvailable"/>; safe because producers only read the count.</summary>
    public void MarkWorkerUnavailable() => Interlocked.Decrement(ref _availableWorkers);

    /// <summary>Claims a parked worker and wakes it.</summary>
    /// <returns><see langword="true"/> if a parked worker was woken for the new item.</returns>
    public bool TryWakeIdleWorker()
    {
        if (!TryClaim(ref _idleWorkers))
        {
            return false;
        }

        _wake.Release();
        return true;
    }

    /// <summary>
    /// Tells whether the queued items need a worker that does not exist yet: more items are queued than
    /// there are available workers (each of which looks at the queue again before it parks).
    /// </summary>
    /// <remarks>
    /// Available workers are counted, never claimed. A claim could take the token of a worker that has
    /// already run the very item the producer just queued (the producer was preempted between Enqueue
    /// and here), hiding a free worker from the next producer. Comparing with the queue length instead
    /// still gives one worker to one item, as CPython's idle semaphore does: two items queued behind a
    /// single available worker start a thread for the second. Called only below MaxWorkers, so the
    /// cost of <see cref="ConcurrentQueue{T}.Count"/> is not paid at full load.
    /// </remarks>
    public bool NeedsAnotherWorker()
    {
        int available = Volatile.Read(ref _availableWorkers);
        return available == 0 ? !_items.IsEmpty : _items.Count > available;
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

    /// <summary>Takes the next item, blocking while the queue is empty.</summary>
    /// <param name="holdsAvailableToken"><see langword="true"/> if the caller ran an item since its last call (and so marked itself available).</param>
    /// <param name="idleTimeoutMilliseconds">How long to stay parked without work; <see cref="Timeout.Infinite"/> for ever.</param>
    /// <param name="idleTimedOut">Set when the call returns <see langword="null"/> because the idle timeout passed.</param>
    /// <returns>The next item, or <see langword="null"/> when the queue is complete and empty, or the idle timeout passed.</returns>
    public IWorkItem? Take(bool holdsAvailableToken, int idleTimeoutMilliseconds, out bool idleTimedOut)
    {
        idleTimedOut = false;
        bool available = holdsAvailableToken;
        if (_items.TryDequeue(out IWorkItem? item) || TrySpinForItem(out item))
        {
            LeaveAvailable(ref available);
            return item;
        }

        while (true)
        {
            if (_items.TryDequeue(out item))
            {
                LeaveAvailable(ref available);
                return item;
            }

            if (_completed)
            {
                // Complete() is only called once no producer can enqueue: an empty queue stays empty.
                LeaveAvailable(ref available);
                return _items.TryDequeue(out item) ? item : null;
            }

            // Register as parked *before* giving up the available token: at every instant one of the
            // two shows a producer that this worker is not busy, so no thread is started for nothing.
            Interlocked.Increment(ref _idleWorkers);
            LeaveAvailable(ref available);

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

            if (!Blocking.Park(_wake, idleTimeoutMilliseconds))
            {
                if (TryClaim(ref _idleWorkers))
                {
                    idleTimedOut = true;
                    return null;
                }

                // A producer claimed our registration just as we timed out: its permit is ours.
                Blocking.Park(_wake, Timeout.Infinite);
            }
        }
    }

    private static bool TryClaim(ref int tokens)
    {
        int current = Volatile.Read(ref tokens);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref tokens, current - 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    private void LeaveAvailable(ref bool available)
    {
        // Producers only peek at this count, so our own token is still there to give up.
        if (available)
        {
            Interlocked.Decrement(ref _availableWorkers);
            available = false;
        }
    }

    private bool TrySpinForItem(out IWorkItem? item)
    {
        if (s_canSpin && !_completed)
        {
            var spinner = default(SpinWait);
            for (int i = 0; i < SpinIterationsBeforeParking; i++)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                if (_items.TryDequeue(out item))
                {
                    return true;
                }
            }
        }

        item = null;
        return false;
    }

    /// <summary>Leaves the parking section without sleeping: drop a registration, or take the permit owed for a claimed one.</summary>
    private void LeaveParking()
    {
        if (!TryClaim(ref _idleWorkers))
        {
            // Every registration was claimed, so a producer has released (or is about to release) a
            // permit for one of them: consume it, or a later Wait would return spuriously.
            _wake.Wait();
        }
    }
}
