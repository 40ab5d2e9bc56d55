using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Executors;

/// <summary>Awaits a <see cref="Future"/>; returned by <see cref="Future.GetAwaiter"/> for the compiler's use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct FutureAwaiter : ICriticalNotifyCompletion
{
    private readonly Future _future;

    internal FutureAwaiter(Future future) => _future = future;

    /// <summary>Gets a value indicating whether the future is already done.</summary>
    public bool IsCompleted => _future.IsDone;

    /// <summary>Ends the wait: throws the work's exception, or <see cref="OperationCanceledException"/> if the future was canceled.</summary>
    public void GetResult() => _future.WaitAndThrowIfFailed();

    /// <summary>Schedules <paramref name="continuation"/> to run when the future is done, on the captured context.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => _future.AsTask().GetAwaiter().OnCompleted(continuation);

    /// <summary>Schedules <paramref name="continuation"/> without flowing the execution context.</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation) => _future.AsTask().GetAwaiter().UnsafeOnCompleted(continuation);
}
