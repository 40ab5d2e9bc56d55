namespace Executors;

/// <summary>A <see cref="Func{T, TResult}"/> and its argument submitted to the thread pool, and the future of the result.</summary>
/// <typeparam name="T">The type of the argument.</typeparam>
/// <typeparam name="TResult">The type of the result.</typeparam>
internal sealed class CallableWithArgWorkItem<T, TResult> : Future<TResult>, IWorkItem
{
    /// <summary>The callable; cleared when taken (see <see cref="CallableWorkItem{TResult}"/>).</summary>
    private Func<T, TResult>? _fn;

    /// <summary>The argument; cleared with the callable.</summary>
    private T _arg;

    public CallableWithArgWorkItem(Func<T, TResult> fn, T arg)
    {
        _fn = fn;
        _arg = arg;
    }

    public Future Future => this;

    public void Execute(WorkQueue queue)
    {
        Func<T, TResult>? fn = Interlocked.Exchange(ref _fn, null);
        if (fn is null || !TrySetRunning())
        {
            queue.MarkWorkerAvailable();
            return;
        }

        T arg = _arg;
        _arg = default!;
        TResult result;
        try
        {
            result = fn(arg);
        }
        catch (Exception ex)
        {
            TrySetException(ex, queue);
            return;
        }

        TrySetResult(result, queue);
    }
}
