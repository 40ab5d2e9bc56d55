using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Executors;

/// <summary>Awaits a <see cref="Future{TResult}"/>; returned by <see cref="Future{TResult}.GetAwaiter"/> for the compiler's use.</summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct FutureAwaiter<TResult> : ICriticalNotifyCompletion
{
    private readonly Future<TResult> _future;

    internal FutureAwaiter(Future<TResult> future) => _future = future;

    /// <summary>Gets a value indicating whether the future is already done.</summary>
    public bool IsCompleted => _future.IsDone;

    /// <summary>Ends the wait: returns the result, throws the work's exception, or throws <see cref="OperationCanceledException"/>.</summary>
    /// <returns>The result.</returns>
    public TResult GetResult() => _future.GetResult();

    /// <summary>Schedules <paramref name="continuation"/> to run when the future is done, on the captured context.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => _future.AsTask().GetAwaiter().OnCompleted(continuation);

    /// <summary>Schedules <paramref name="continuation"/> without flowing the execution context.</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation) => _future.AsTask().GetAwaiter().UnsafeOnCompleted(continuation);
}
