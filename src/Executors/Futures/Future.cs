using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Executors.Internal;

namespace Executors;

/// <summary>
/// The value-less view of the result of an asynchronous operation: its state, its exception, its
/// done-callbacks, blocking waits with timeouts, and <see langword="await"/> support. The state
/// machine is CPython's <c>concurrent.futures.Future</c>, transition for transition.
/// </summary>
/// <remarks>
/// <para>
/// Futures are created by executors (<see cref="IExecutor.Submit(Action)"/>) or, for a future that
/// carries a value, with <see cref="Future{TResult}()"/>. The executor, not the user, normally
/// calls <see cref="SetRunningOrNotifyCancel"/>, <see cref="Future{TResult}.SetResult"/> and
/// <see cref="SetException"/>.
/// </para>
/// <para>
/// Unlike CPython, a future canceled with <see cref="Cancel"/> counts as done for
/// <see cref="Futures.Wait"/> and <see cref="Futures.AsCompleted"/> at once, not only after its
/// executor has called <see cref="SetRunningOrNotifyCancel"/>; see <c>docs/design/0002-future-semantics.md</c>.
/// </para>
/// <para>All members are thread-safe. Done-callbacks never run while an internal lock is held.</para>
/// </remarks>
public class Future
{
    /// <summary>Guards every mutable field below. Never held while user code or a waiter runs.</summary>
    private readonly Lock _lock = new();

    /// <summary>The public state; written under <see cref="_lock"/>, read without it (volatile) by the fast paths.</summary>
    private volatile FutureState _state;

    /// <summary>CPython's CANCELLED_AND_NOTIFIED: the owner has seen the cancellation; guarded by <see cref="_lock"/>.</summary>
    private bool _cancelNotified;

    /// <summary>The exception the work ended with; written under <see cref="_lock"/> before <see cref="_state"/> becomes Finished.</summary>
    private ExceptionDispatchInfo? _exception;

    /// <summary>User done-callbacks in the order added; guarded by <see cref="_lock"/>; taken (set to null) on completion.</summary>
    private List<Action<Future>>? _callbacks;

    /// <summary>Internal waiters (Wait, AsCompleted, the task bridge); guarded by <see cref="_lock"/>; taken on completion.</summary>
    private List<IFutureWaiter>? _waiters;

    /// <summary>Created by the first blocking waiter only, so futures nobody blocks on allocate no event; guarded by <see cref="_lock"/>.</summary>
    private ManualResetEventSlim? _doneEvent;

    /// <summary>The task returned by <see cref="AsTask"/>, created once; guarded by <see cref="_lock"/>.</summary>
    private Task? _task;

    /// <summary>Initializes a new pending future. Only this assembly creates value-less futures.</summary>
    internal Future()
    {
    }

    /// <summary>Gets the current state of the future.</summary>
    public FutureState State => _state;

    /// <summary>Gets a value indicating whether the future is done: canceled, or finished with a result or an exception.</summary>
    public bool IsDone => _state >= FutureState.Canceled;

    /// <summary>Gets a value indicating whether the future was canceled.</summary>
    public bool IsCanceled => _state == FutureState.Canceled;

    /// <summary>Gets a value indicating whether the future's work is running (and so can no longer be canceled).</summary>
    public bool IsRunning => _state == FutureState.Running;

    /// <summary>Gets the lock that guards the state, for <see cref="Future{TResult}"/>'s completion.</summary>
    private protected Lock SyncRoot => _lock;

    /// <summary>Gets the captured exception once the future is finished; <see langword="null"/> otherwise.</summary>
    internal ExceptionDispatchInfo? ExceptionInfo => _exception;

    /// <summary>
    /// Attempts to cancel the future. A pending future becomes canceled, its waiters and done-callbacks
    /// run, and the call returns <see langword="true"/>. A running or finished future cannot be
    /// canceled: the call returns <see langword="false"/>. An already canceled future returns <see langword="true"/>.
    /// </summary>
    /// <returns><see langword="true"/> if the future is canceled when the call returns; otherwise <see langword="false"/>.</returns>
    public bool Cancel()
    {
        Completion completion;
        lock (_lock)
        {
            AssertInvariants();
            switch (_state)
            {
                case FutureState.Running:
                case FutureState.Finished:
                    return false;
                case FutureState.Canceled:
                    return true;
            }

            _state = FutureState.Canceled;
            completion = TakeCompletionLocked();
        }

        // Outside the lock: a waiter or callback may call back into this future.
        completion.Notify(this);
        return true;
    }

    /// <summary>
    /// Marks the future as running, or acknowledges that it was canceled. Executors call this just
    /// before running the work, and skip the work when it returns <see langword="false"/>.
    /// </summary>
    /// <returns><see langword="true"/> if the future was pending and is now running; <see langword="false"/> if it was canceled.</returns>
    /// <exception cref="InvalidStateException">The future is already running or finished.</exception>
    public bool SetRunningOrNotifyCancel()
    {
        lock (_lock)
        {
            AssertInvariants();
            switch (_state)
            {
                case FutureState.Pending:
                    _state = FutureState.Running;
                    return true;
                case FutureState.Canceled:
                    _cancelNotified = true;
                    return false;
                default:
                    throw ThrowHelper.CreateUnexpectedStateForRunning(_state);
            }
        }
    }

    /// <summary>
    /// Blocks until the future is done and returns the exception its work threw, or
    /// <see langword="null"/> if it finished with a result.
    /// </summary>
    /// <returns>The exception the work threw, or <see langword="null"/>.</returns>
    /// <exception cref="OperationCanceledException">The future was canceled.</exception>
    public Exception? GetException() => GetException(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Blocks until the future is done or <paramref name="timeout"/> passes, and returns the exception
    /// its work threw, or <see langword="null"/> if it finished with a result.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <returns>The exception the work threw, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The future was canceled.</exception>
    /// <exception cref="TimeoutException">The future was not done within <paramref name="timeout"/>.</exception>
    public Exception? GetException(TimeSpan timeout)
    {
        WaitUntilDone(timeout, nameof(timeout));
        if (_state == FutureState.Canceled)
        {
            throw ThrowHelper.CreateFutureCanceledException();
        }

        return _exception?.SourceException;
    }

    /// <summary>
    /// Adds a callback that runs once when the future is done (finished or canceled), with the future
    /// as its argument. Callbacks run in the order added, on the thread that completes the future; a
    /// callback added to a future that is already done runs at once on the calling thread.
    /// </summary>
    /// <param name="callback">The callback.</param>
    /// <remarks>
    /// A callback that throws does not stop the others and does not reach the code that completed the
    /// future: the exception is reported through <see cref="Futures.CallbackFailed"/>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    public void AddDoneCallback(Action<Future> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_lock)
        {
            AssertInvariants();
            if (!IsDone)
            {
                (_callbacks ??= []).Add(callback);
                return;
            }
        }

        InvokeCallback(callback, this);
    }

    /// <summary>
    /// Finishes the future with <paramref name="exception"/>; waiters and done-callbacks run. Getting
    /// the result afterwards rethrows this same exception instance, with its stack trace preserved.
    /// </summary>
    /// <param name="exception">The exception the work ended with.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidStateException">The future is already done.</exception>
    public void SetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!TrySetException(exception))
        {
            throw ThrowHelper.CreateAlreadyDone(_state);
        }
    }

    /// <summary>Returns a task that completes when the future is done, with the same outcome.</summary>
    /// <returns>
    /// The same task on every call: it runs to completion when the future finishes with a result,
    /// faults with the work's exception, or is canceled when the future is canceled. Continuations
    /// run asynchronously, never on the thread that completed the future.
    /// </returns>
    public Task AsTask() => _task ?? CreateTask();

    /// <summary>Configures how an <see langword="await"/> on this future resumes.</summary>
    /// <param name="continueOnCapturedContext"><see langword="true"/> to resume on the captured context; otherwise <see langword="false"/>.</param>
    /// <returns>An awaitable that resumes as configured.</returns>
    public ConfiguredTaskAwaitable ConfigureAwait(bool continueOnCapturedContext) =>
        AsTask().ConfigureAwait(continueOnCapturedContext);

    /// <summary>Gets an awaiter, so that <c>await future</c> waits without blocking a thread.</summary>
    /// <returns>An awaiter for this future.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public FutureAwaiter GetAwaiter() => new(this);

    /// <inheritdoc/>
    public override string ToString() =>
        _state == FutureState.Finished && _exception is { } e
            ? $"{GetType().Name} (State = Finished, raised {e.SourceException.GetType().Name})"
            : $"{GetType().Name} (State = {_state})";

    /// <summary>Moves a pending future to running without throwing; executors call this before running work.</summary>
    /// <returns><see langword="true"/> if the work should run; <see langword="false"/> if the future was canceled or completed by someone else.</returns>
    internal bool TrySetRunning()
    {
        lock (_lock)
        {
            AssertInvariants();
            if (_state == FutureState.Pending)
            {
                _state = FutureState.Running;
                return true;
            }

            if (_state == FutureState.Canceled)
            {
                _cancelNotified = true;
            }

            return false;
        }
    }

    /// <summary>Finishes the future with <paramref name="exception"/> unless it is already done.</summary>
    /// <param name="exception">The exception the work ended with.</param>
    /// <returns><see langword="true"/> if this call finished the future.</returns>
    internal bool TrySetException(Exception exception)
    {
        // Capture outside the lock: it walks the stack trace.
        var info = ExceptionDispatchInfo.Capture(exception);
        Completion completion;
        lock (_lock)
        {
            AssertInvariants();
            if (IsDone)
            {
                return false;
            }

            _exception = info;
            completion = FinishLocked();
        }

        completion.Notify(this);
        return true;
    }

    /// <summary>Blocks until done, then throws the work's exception (same instance) or <see cref="OperationCanceledException"/>.</summary>
    internal void WaitAndThrowIfFailed()
    {
        WaitUntilDone(Timeout.InfiniteTimeSpan, "timeout");
        ThrowIfCanceledOrFaulted();
    }

    /// <summary>Finishes a value-less future successfully unless it is already done.</summary>
    /// <returns><see langword="true"/> if this call finished the future.</returns>
    internal bool TrySetFinished()
    {
        Completion completion;
        lock (_lock)
        {
            AssertInvariants();
            if (IsDone)
            {
                return false;
            }

            completion = FinishLocked();
        }

        completion.Notify(this);
        return true;
    }

    /// <summary>Registers an internal waiter unless the future is already done.</summary>
    /// <param name="waiter">The waiter.</param>
    /// <returns><see langword="true"/> if registered; <see langword="false"/> if the future is already done (the waiter is not called).</returns>
    internal bool TryAddWaiter(IFutureWaiter waiter)
    {
        lock (_lock)
        {
            AssertInvariants();
            if (IsDone)
            {
                return false;
            }

            (_waiters ??= []).Add(waiter);
            return true;
        }
    }

    /// <summary>Removes an internal waiter, if it is still registered.</summary>
    /// <param name="waiter">The waiter.</param>
    internal void RemoveWaiter(IFutureWaiter waiter)
    {
        lock (_lock)
        {
            _waiters?.Remove(waiter);
        }
    }

    /// <summary>Blocks until the future is done or <paramref name="deadline"/> passes.</summary>
    /// <param name="deadline">When to give up.</param>
    /// <returns><see langword="true"/> if the future is done.</returns>
    internal bool WaitCore(Deadline deadline)
    {
        if (IsDone)
        {
            return true;
        }

        ManualResetEventSlim doneEvent;
        lock (_lock)
        {
            if (IsDone)
            {
                return true;
            }

            doneEvent = _doneEvent ??= new ManualResetEventSlim(initialState: false);
        }

        return Blocking.Wait(doneEvent, deadline);
    }

    /// <summary>Blocks until done, or throws <see cref="TimeoutException"/>.</summary>
    /// <param name="timeout">The caller's timeout, validated here.</param>
    /// <param name="paramName">The caller's parameter name.</param>
    private protected void WaitUntilDone(TimeSpan timeout, string paramName)
    {
        Deadline.ValidateTimeout(timeout, paramName);
        if (IsDone)
        {
            return;
        }

        if (!WaitCore(Deadline.FromTimeout(timeout, paramName)))
        {
            throw ThrowHelper.CreateFutureTimeout(timeout);
        }
    }

    /// <summary>Throws the right exception for a done future that did not finish with a result.</summary>
    private protected void ThrowIfCanceledOrFaulted()
    {
        Debug.Assert(IsDone, "Only called once the future is done.");
        if (_state == FutureState.Canceled)
        {
            throw ThrowHelper.CreateFutureCanceledException();
        }

        _exception?.Throw();
    }

    /// <summary>Moves the future to Finished and takes what must be notified. The caller has stored the outcome.</summary>
    /// <returns>What to notify once the lock is released.</returns>
    private protected Completion FinishLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "FinishLocked requires the lock.");
        Debug.Assert(!IsDone, "A done future cannot finish again.");

        // The outcome was written before this volatile write, so a reader that sees Finished sees it.
        _state = FutureState.Finished;
        return TakeCompletionLocked();
    }

    /// <summary>Creates the bridge that completes the <see cref="AsTask"/> task; overridden for typed results.</summary>
    /// <param name="waiter">The waiter to register, which completes the task.</param>
    /// <returns>The task.</returns>
    private protected virtual Task CreateTaskBridge(out IFutureWaiter waiter)
    {
        var bridge = new TaskBridge();
        waiter = bridge;
        return bridge.Task;
    }

    /// <summary>Runs one user callback, reporting (never propagating) its exception.</summary>
    private static void InvokeCallback(Action<Future> callback, Future future)
    {
        try
        {
            callback(future);
        }
        catch (Exception ex)
        {
            Futures.ReportCallbackFailure(future, ex);
        }
    }

    private Task CreateTask()
    {
        Task task = CreateTaskBridge(out IFutureWaiter bridge);
        bool done;
        lock (_lock)
        {
            if (_task is { } existing)
            {
                return existing;
            }

            _task = task;
            done = IsDone;
            if (!done)
            {
                (_waiters ??= []).Add(bridge);
            }
        }

        if (done)
        {
            bridge.OnFutureDone(this);
        }

        return task;
    }

    private Completion TakeCompletionLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "TakeCompletionLocked requires the lock.");
        var completion = new Completion(_doneEvent, _waiters, _callbacks);
        _waiters = null;
        _callbacks = null;
        return completion;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Invariants are checked under the lock.");
        Debug.Assert(_exception is null || _state == FutureState.Finished, "Only a finished future has an exception.");
        Debug.Assert(!_cancelNotified || _state == FutureState.Canceled, "Only a canceled future is notified of it.");
        Debug.Assert(!IsDone || (_waiters is null && _callbacks is null), "A done future holds no waiters or callbacks.");
        Debug.Assert(IsDone || _doneEvent is null || !_doneEvent.IsSet, "The done event is set only once done.");
    }

    /// <summary>What a transition to done must notify, taken under the lock and run outside it.</summary>
    private protected readonly struct Completion
    {
        private readonly ManualResetEventSlim? _doneEvent;
        private readonly List<IFutureWaiter>? _waiters;
        private readonly List<Action<Future>>? _callbacks;

        public Completion(ManualResetEventSlim? doneEvent, List<IFutureWaiter>? waiters, List<Action<Future>>? callbacks)
        {
            _doneEvent = doneEvent;
            _waiters = waiters;
            _callbacks = callbacks;
        }

        /// <summary>Wakes blocked threads, then internal waiters, then user callbacks in the order added.</summary>
        public void Notify(Future future)
        {
            _doneEvent?.Set();
            if (_waiters is { } waiters)
            {
                foreach (IFutureWaiter waiter in waiters)
                {
                    waiter.OnFutureDone(future);
                }
            }

            if (_callbacks is { } callbacks)
            {
                foreach (Action<Future> callback in callbacks)
                {
                    InvokeCallback(callback, future);
                }
            }
        }
    }
}
