namespace Executors;

/// <summary>
/// An internal observer told once when a future becomes done, before the user's done-callbacks run.
/// Used by <see cref="Futures.Wait"/>, <see cref="Futures.AsCompleted"/> and the task bridge
/// (CPython's <c>_Waiter</c> objects).
/// </summary>
/// <remarks>
/// Implementations are called outside every future lock, must not throw and must not block: they
/// run on the thread that completed the future, which may be an executor's worker.
/// </remarks>
internal interface IFutureWaiter
{
    /// <summary>Called once when <paramref name="future"/> has become done.</summary>
    /// <param name="future">The future that is now done.</param>
    void OnFutureDone(Future future);
}
