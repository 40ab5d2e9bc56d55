using Executors.Internal;

namespace Executors;

/// <summary>
/// The waiter behind <see cref="Futures.Wait"/> and <see cref="Futures.WaitAsync"/>: counts the futures
/// that become done and signals once the <see cref="ReturnWhen"/> condition holds (CPython's
/// <c>_FirstCompletedWaiter</c>, <c>_AllCompletedWaiter</c>).
/// </summary>
/// <remarks>
/// Not disposable on purpose: a completing thread may still signal the event after the waiting thread
/// has unregistered and returned. A <see cref="ManualResetEventSlim"/> whose wait handle was never
/// requested owns no OS resource, so leaving it to the GC is correct.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "See remarks: disposing would race with late signals.")]
internal sealed class CompletionWaiter : IFutureWaiter
{
    private readonly ReturnWhen _returnWhen;

    /// <summary>Signalled when the condition holds (blocking waits only).</summary>
    private readonly ManualResetEventSlim? _event;

    /// <summary>Completed when the condition holds (async waits only).</summary>
    private readonly TaskCompletionSource? _source;

    /// <summary>How many registered futures are not done yet; decremented with Interlocked by completing threads.</summary>
    private int _remaining;

    public CompletionWaiter(ReturnWhen returnWhen, int pendingCount, bool forAsync)
    {
        _returnWhen = returnWhen;
        _remaining = pendingCount;
        if (forAsync)
        {
            _source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        else
        {
            _event = new ManualResetEventSlim(initialState: false);
        }
    }

    public Task Task => _source!.Task;

    public void OnFutureDone(Future future)
    {
        bool conditionHolds = _returnWhen switch
        {
            ReturnWhen.FirstCompleted => true,
            ReturnWhen.FirstException => !future.IsCanceled && future.ExceptionInfo is not null,
            _ => false,
        };

        // Always count, so that FirstException falls back to "all completed" when nothing throws.
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            conditionHolds = true;
        }

        if (conditionHolds)
        {
            _event?.Set();
            _source?.TrySetResult();
        }
    }

    /// <summary>Blocks until the condition holds or <paramref name="deadline"/> passes.</summary>
    public bool Wait(Deadline deadline) => Blocking.Wait(_event!, deadline);
}
