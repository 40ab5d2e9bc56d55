using System.ComponentModel;
using System.Runtime.CompilerServices;
using Executors.Internal;

namespace Executors;

/// <summary>
/// The result of an asynchronous operation that produces a <typeparamref name="TResult"/>: everything
/// <see cref="Future"/> offers, plus the value.
/// </summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
/// <remarks>All members are thread-safe.</remarks>
public class Future<TResult> : Future
{
    /// <summary>The result; written between reservation and publication of Finished, read only after.</summary>
    private TResult? _result;

    /// <summary>Initializes a new instance of the <see cref="Future{TResult}"/> class in the <see cref="FutureState.Pending"/> state.</summary>
    /// <remarks>For executor authors and tests: the creator completes it with <see cref="SetResult"/> or <see cref="Future.SetException"/>.</remarks>
#pragma warning disable RS0022 // Deriving from Future<TResult> is allowed; Future's non-public members stay private protected.
    public Future()
    {
    }
#pragma warning restore RS0022

    /// <summary>Gets the result once finished; only valid when the future finished without an exception.</summary>
    internal TResult ResultUnsafe => _result!;

    /// <summary>
    /// Blocks until the future is done and returns its result. If the work threw, rethrows that same
    /// exception instance with its original stack trace.
    /// </summary>
    /// <returns>The result.</returns>
    /// <exception cref="OperationCanceledException">The future was canceled.</exception>
    public TResult GetResult() => GetResult(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Blocks until the future is done or <paramref name="timeout"/> passes and returns its result. If
    /// the work threw, rethrows that same exception instance with its original stack trace.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The future was canceled.</exception>
    /// <exception cref="TimeoutException">The future was not done within <paramref name="timeout"/>.</exception>
    public TResult GetResult(TimeSpan timeout)
    {
        WaitUntilDone(timeout, nameof(timeout));
        ThrowIfCanceledOrFaulted();
        return _result!;
    }

    /// <summary>
    /// Blocks until the future is done or <paramref name="timeout"/> passes as <paramref name="timeProvider"/>
    /// measures it, and returns its result. With a fake clock (such as <c>FakeTimeProvider</c>) the wait
    /// times out only when the test advances that clock past the timeout. If the work threw, rethrows
    /// that same exception instance with its original stack trace.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="timeProvider">The clock that measures <paramref name="timeout"/>.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The future was canceled.</exception>
    /// <exception cref="TimeoutException">The future was not done within <paramref name="timeout"/>.</exception>
    public TResult GetResult(TimeSpan timeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        WaitUntilDone(timeout, timeProvider, nameof(timeout));
        ThrowIfCanceledOrFaulted();
        return _result!;
    }

    /// <summary>Finishes the future with <paramref name="result"/>; waiters and done-callbacks run.</summary>
    /// <param name="result">The result.</param>
    /// <exception cref="InvalidStateException">The future is already done.</exception>
    public void SetResult(TResult result)
    {
        if (!TrySetResult(result))
        {
            throw ThrowHelper.CreateAlreadyDone(DoneStateForMessage());
        }
    }

    /// <summary>Returns a task that completes when the future is done, with the same outcome.</summary>
    /// <returns>The same task on every call (and the same one <see cref="Future.AsTask"/> returns).</returns>
    public new Task<TResult> AsTask() => (Task<TResult>)base.AsTask();

    /// <summary>Configures how an <see langword="await"/> on this future resumes.</summary>
    /// <param name="continueOnCapturedContext"><see langword="true"/> to resume on the captured context; otherwise <see langword="false"/>.</param>
    /// <returns>An awaitable that resumes as configured and gives the result.</returns>
    public new ConfiguredTaskAwaitable<TResult> ConfigureAwait(bool continueOnCapturedContext) =>
        AsTask().ConfigureAwait(continueOnCapturedContext);

    /// <summary>Gets an awaiter, so that <c>TResult r = await future</c> waits without blocking a thread.</summary>
    /// <returns>An awaiter for this future.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public new FutureAwaiter<TResult> GetAwaiter() => new(this);

    /// <summary>Finishes the future with <paramref name="result"/> unless it is already done.</summary>
    /// <param name="result">The result.</param>
    /// <returns><see langword="true"/> if this call finished the future.</returns>
    internal bool TrySetResult(TResult result) => TrySetResult(result, worker: null);

    /// <summary>Finishes the future with <paramref name="result"/>, telling <paramref name="worker"/> when it is free again.</summary>
    /// <param name="result">The result.</param>
    /// <param name="worker">The executor worker completing the future, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> if this call finished the future.</returns>
    internal bool TrySetResult(TResult result, IWorkerAvailability? worker)
    {
        if (!TryReserveCompletion())
        {
            worker?.MarkWorkerAvailable();
            return false;
        }

        _result = result;
        PublishFinished(worker);
        return true;
    }

    /// <inheritdoc/>
    private protected override Task CreateTaskBridge(out IFutureWaiter waiter)
    {
        var bridge = new TaskBridge<TResult>();
        waiter = bridge;
        return bridge.Task;
    }
}
