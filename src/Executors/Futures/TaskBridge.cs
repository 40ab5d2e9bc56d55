namespace Executors;

/// <summary>Completes the <see cref="Task"/> of <see cref="Future.AsTask"/> when a value-less future is done.</summary>
internal sealed class TaskBridge : IFutureWaiter
{
    // RunContinuationsAsynchronously: the future completes on an executor's worker (or inside a
    // lock-free notification loop); user continuations must not run there inline.
    private readonly TaskCompletionSource _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _source.Task;

    public void OnFutureDone(Future future)
    {
        if (future.IsCanceled)
        {
            _source.TrySetCanceled();
        }
        else if (future.ExceptionInfo is { } info)
        {
            _source.TrySetException(info.SourceException);
        }
        else
        {
            _source.TrySetResult();
        }
    }
}
