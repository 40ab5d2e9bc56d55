namespace Executors;

/// <summary>An <see cref="Action"/> submitted to the thread pool, and the value-less future of its completion.</summary>
internal sealed class ActionWorkItem : Future, IWorkItem
{
    /// <summary>The action; cleared when taken (see <see cref="CallableWorkItem{TResult}"/>).</summary>
    private Action? _fn;

    public ActionWorkItem(Action fn) => _fn = fn;

    public Future Future => this;

    public void Execute(WorkQueue queue)
    {
        Action? fn = Interlocked.Exchange(ref _fn, null);
        if (fn is null || !TrySetRunning())
        {
            queue.MarkWorkerAvailable();
            return;
        }

        try
        {
            fn();
        }
        catch (Exception ex)
        {
            TrySetException(ex, queue);
            return;
        }

        TrySetFinished(queue);
    }
}
