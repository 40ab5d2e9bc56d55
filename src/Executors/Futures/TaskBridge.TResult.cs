namespace Executors;

/// <summary>Completes the <see cref="Task{TResult}"/> of <see cref="Future{TResult}.AsTask"/> when the future is done.</summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
internal sealed class TaskBridge<TResult> : IFutureWaiter
{
    // See TaskBridge: continuations never run inline on the completing thread.
    private readonly TaskCompletionSource<TResult> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _source.Task;

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
            _source.TrySetResult(((Future<TResult>)future).ResultUnsafe);
        }
    }
}
