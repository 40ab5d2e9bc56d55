using System.Collections.Concurrent;

namespace Executors;

/// <summary>
/// The waiter behind <see cref="Futures.AsCompleted"/>: queues futures in the order they become done
/// (CPython's <c>_AsCompletedWaiter</c>). The semaphore counts queued futures, so the same waiter
/// serves blocking and asynchronous enumeration.
/// </summary>
internal sealed class AsCompletedWaiter : IFutureWaiter
{
    /// <summary>Gets the futures that became done, in completion order.</summary>
    public ConcurrentQueue<Future> Completed { get; } = new();

    /// <summary>Gets the count of futures in <see cref="Completed"/>.</summary>
    public SemaphoreSlim Available { get; } = new(0);

    public void OnFutureDone(Future future)
    {
        // Enqueue before Release: a consumer that takes a count must find the future.
        Completed.Enqueue(future);
        Available.Release();
    }
}
