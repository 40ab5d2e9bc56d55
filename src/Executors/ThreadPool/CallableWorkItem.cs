namespace Executors;

/// <summary>A <see cref="Func{TResult}"/> submitted to the thread pool, and the future of its result.</summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
internal sealed class CallableWorkItem<TResult> : Future<TResult>, IWorkItem
{
    /// <summary>The callable; cleared when taken so that its closure can be collected while the future lives on.</summary>
    private Func<TResult>? _fn;

    public CallableWorkItem(Func<TResult> fn) => _fn = fn;

    public Future Future => this;

    public void Execute(WorkQueue queue)
    {
        Func<TResult>? fn = Interlocked.Exchange(ref _fn, null);
        if (fn is null || !TrySetRunning())
        {
            queue.MarkWorkerAvailable();
            return;
        }

        TResult result;
        try
        {
            result = fn();
        }
        catch (Exception ex)
        {
            TrySetException(ex, queue);
            return;
        }

        TrySetResult(result, queue);
    }
}
