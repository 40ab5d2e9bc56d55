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
    // The state word. Transitions are compare-and-swap, so a future needs no lock object: one
    // allocation per submitted task. Completion is two-phase: a completer first reserves the
    // future (sets Completing on Pending or Running, so it keeps reporting that state), writes the
    // outcome, then publishes Finished with a volatile write. A reader that sees Finished therefore
    // sees the outcome, and exactly one completer wins.
    private const int PendingState = (int)FutureState.Pending;
    private const int RunningState = (int)FutureState.Running;
    private const int CanceledState = (int)FutureState.Canceled;
    private const int FinishedState = (int)FutureState.Finished;
    private const int CompletingFlag = 4;
    private const int PublicStateMask = 3;

    /// <summary>Marks <see cref="_observers"/> once the future is done: later observers run at once.</summary>
    private static readonly object s_done = new();

    /// <summary>The state word (see above); changed only with Interlocked or, to publish a terminal state, a volatile write.</summary>
    private int _state;

    /// <summary>The exception the work ended with; written between reservation and publication.</summary>
    private ExceptionDispatchInfo? _exception;

    /// <summary>
    /// Waiters and callbacks, in the order added: null, one observer, an <see cref="ObserverList"/>,
    /// or <see cref="s_done"/>. Replaced with compare-and-swap (copy on write); swapped for
    /// <see cref="s_done"/> exactly once, by the transition to done, which then notifies them.
    /// </summary>
    private object? _observers;

    /// <summary>The task returned by <see cref="AsTask"/>; published once with compare-and-swap.</summary>
    private Task? _task;

    /// <summary>Initializes a new pending future. Only this assembly creates value-less futures.</summary>
    internal Future()
    {
    }

    /// <summary>Gets the current state of the future.</summary>
    public FutureState State => (FutureState)(Volatile.Read(ref _state) & PublicStateMask);

    /// <summary>Gets a value indicating whether the future is done: canceled, or finished with a result or an exception.</summary>
    public bool IsDone => Volatile.Read(ref _state) is CanceledState or FinishedState;

    /// <summary>Gets a value indicating whether the future was canceled.</summary>
    public bool IsCanceled => Volatile.Read(ref _state) == CanceledState;

    /// <summary>Gets a value indicating whether the future's work is running (and so can no longer be canceled).</summary>
    public bool IsRunning => (Volatile.Read(ref _state) & PublicStateMask) == RunningState;

    /// <summary>Gets the captured exception once the future is finished; <see langword="null"/> otherwise.</summary>
    internal ExceptionDispatchInfo? ExceptionInfo => IsDone ? _exception : null;

    /// <summary>
    /// Attempts to cancel the future. A pending future becomes canceled, its waiters and done-callbacks
    /// run, and the call returns <see langword="true"/>. A running or finished future cannot be
    /// canceled: the call returns <see langword="false"/>. An already canceled future returns <see langword="true"/>.
    /// </summary>
    /// <returns><see langword="true"/> if the future is canceled when the call returns; otherwise <see langword="false"/>.</returns>
    public bool Cancel()
    {
        int state = Interlocked.CompareExchange(ref _state, CanceledState, PendingState);
        if (state == PendingState)
        {
            // Outside any lock: a waiter or callback may call back into this future.
            NotifyDone();
            return true;
        }

        if ((state & CompletingFlag) != 0)
        {
            // A completion reserved this future first and linearizes before this call; wait the few
            // instructions until it is published, so that a false return always means Finished.
            var spinner = default(SpinWait);
            while ((Volatile.Read(ref _state) & CompletingFlag) != 0)
            {
                spinner.SpinOnce();
            }
        }

        // Running, finished, or just completed: not cancelable.
        return state == CanceledState;
    }

    /// <summary>
    /// Marks the future as running, or acknowledges that it was canceled. Executors call this just
    /// before running the work, and skip the work when it returns <see langword="false"/>.
    /// </summary>
    /// <returns><see langword="true"/> if the future was pending and is now running; <see langword="false"/> if it was canceled.</returns>
    /// <exception cref="InvalidStateException">The future is already running or finished.</exception>
    public bool SetRunningOrNotifyCancel()
    {
        int state = Interlocked.CompareExchange(ref _state, RunningState, PendingState);
        switch (state)
        {
            case PendingState:
                return true;
            case CanceledState:
                // CPython's CANCELLED_AND_NOTIFIED needs no state here: waiters learned of the
                // cancellation at Cancel() (docs/design/0002), so there is nothing left to notify.
                return false;
            default:
                // A future being completed from Pending is, for this call, already finished.
                throw ThrowHelper.CreateUnexpectedStateForRunning(
                    (state & CompletingFlag) != 0 ? FutureState.Finished : (FutureState)(state & PublicStateMask));
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
        if (IsCanceled)
        {
            throw ThrowHelper.CreateFutureCanceledException();
        }

        return _exception?.SourceException;
    }

    /// <summary>
    /// Blocks until the future is done or <paramref name="timeout"/> passes as <paramref name="timeProvider"/>
    /// measures it, and returns the exception its work threw, or <see langword="null"/> if it finished
    /// with a result. With a fake clock (such as <c>FakeTimeProvider</c>) the wait times out only when
    /// the test advances that clock past the timeout.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="timeProvider">The clock that measures <paramref name="timeout"/>.</param>
    /// <returns>The exception the work threw, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The future was canceled.</exception>
    /// <exception cref="TimeoutException">The future was not done within <paramref name="timeout"/>.</exception>
    public Exception? GetException(TimeSpan timeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        WaitUntilDone(timeout, timeProvider, nameof(timeout));
        if (IsCanceled)
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

        // IsDone first: between publishing a terminal state and taking the observers there is a short
        // gap in which the list still accepts additions; a caller that already sees the future done
        // must have its callback run now, on its own thread.
        if (IsDone || !TryAddObserver(callback))
        {
            InvokeCallback(callback, this);
        }
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
            throw ThrowHelper.CreateAlreadyDone(DoneStateForMessage());
        }
    }

    /// <summary>Returns a task that completes when the future is done, with the same outcome.</summary>
    /// <returns>
    /// The same task on every call: it runs to completion when the future finishes with a result,
    /// faults with the work's exception, or is canceled when the future is canceled. Continuations
    /// run asynchronously, never on the thread that completed the future.
    /// </returns>
    public Task AsTask() => Volatile.Read(ref _task) ?? CreateTask();

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
        State == FutureState.Finished && _exception is { } e
            ? $"{GetType().Name} (State = Finished, raised {e.SourceException.GetType().Name})"
            : $"{GetType().Name} (State = {State})";

    /// <summary>Moves a pending future to running without throwing; executors call this before running work.</summary>
    /// <returns><see langword="true"/> if the work should run; <see langword="false"/> if the future was canceled or completed by someone else.</returns>
    internal bool TrySetRunning()
    {
        return Interlocked.CompareExchange(ref _state, RunningState, PendingState) == PendingState;
    }

    /// <summary>Finishes the future with <paramref name="exception"/> unless it is already done.</summary>
    /// <param name="exception">The exception the work ended with.</param>
    /// <returns><see langword="true"/> if this call finished the future.</returns>
    internal bool TrySetException(Exception exception) => TrySetException(exception, worker: null);

    /// <summary>Finishes the future with <paramref name="exception"/>, telling <paramref name="worker"/> when it is free again.</summary>
    /// <param name="exception">The exception the work ended with.</param>
    /// <param name="worker">The executor worker completing the future, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> if this call finished the future.</returns>
    internal bool TrySetException(Exception exception, IWorkerAvailability? worker)
    {
        if (!TryReserveCompletion())
        {
            worker?.MarkWorkerAvailable();
            return false;
        }

        _exception = ExceptionDispatchInfo.Capture(exception);
        PublishFinished(worker);
        return true;
    }

    /// <summary>Finishes a value-less future successfully unless it is already done.</summary>
    /// <returns><see langword="true"/> if this call finished the future.</returns>
    internal bool TrySetFinished(IWorkerAvailability? worker = null)
    {
        if (!TryReserveCompletion())
        {
            worker?.MarkWorkerAvailable();
            return false;
        }

        PublishFinished(worker);
        return true;
    }

    /// <summary>Blocks until done, then throws the work's exception (same instance) or <see cref="OperationCanceledException"/>.</summary>
    internal void WaitAndThrowIfFailed()
    {
        WaitUntilDone(Timeout.InfiniteTimeSpan, "timeout");
        ThrowIfCanceledOrFaulted();
    }

    /// <summary>Registers an internal waiter unless the future is already done.</summary>
    /// <param name="waiter">The waiter.</param>
    /// <returns><see langword="true"/> if registered; <see langword="false"/> if the future is already done (the waiter is not called).</returns>
    internal bool TryAddWaiter(IFutureWaiter waiter) => TryAddObserver(waiter);

    /// <summary>Removes an internal waiter, if it is still registered.</summary>
    /// <param name="waiter">The waiter.</param>
    internal void RemoveWaiter(IFutureWaiter waiter)
    {
        object? current = Volatile.Read(ref _observers);
        while (current is not null && current != s_done)
        {
            object? updated = ObserverList.Remove(current, waiter);
            if (ReferenceEquals(updated, current))
            {
                return;
            }

            object? seen = Interlocked.CompareExchange(ref _observers, updated, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
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

        if (deadline.RemainingMilliseconds == 0)
        {
            return false;
        }

        var waiter = new BlockingWaiter();
        if (!TryAddObserver(waiter))
        {
            return true;
        }

        if (Blocking.Wait(waiter.Signal, deadline))
        {
            return true;
        }

        RemoveWaiter(waiter);
        return IsDone;
    }

    /// <summary>Reserves the right to complete the future: Pending or Running becomes Completing.</summary>
    /// <returns><see langword="true"/> if this caller must now write the outcome and publish it.</returns>
    private protected bool TryReserveCompletion()
    {
        int state = Volatile.Read(ref _state);
        while (state is PendingState or RunningState)
        {
            int seen = Interlocked.CompareExchange(ref _state, state | CompletingFlag, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary>Publishes Finished after the outcome was written, then notifies waiters and callbacks.</summary>
    private protected void PublishFinished(IWorkerAvailability? worker = null)
    {
        Debug.Assert((Volatile.Read(ref _state) & CompletingFlag) != 0, "Only the reserving completer publishes.");

        // A worker must count as free *before* anyone can see the future done (a submitter polling
        // IsDone would otherwise find no free worker and start a thread), unless done-callbacks will
        // run on it. Callbacks are never removed, so if the peek sees none, at most one can appear
        // before NotifyDone takes the list; NotifyDone then takes the early mark back.
        bool markedEarly = worker is not null && !HasCallbacks(Volatile.Read(ref _observers));
        if (markedEarly)
        {
            worker!.MarkWorkerAvailable();
        }

        // Release semantics: the outcome written before this is visible to whoever reads Finished.
        Volatile.Write(ref _state, FinishedState);
        NotifyDone(worker, markedEarly);
    }

    /// <summary>The state to name when a completion is refused (it may still be being completed).</summary>
    private protected FutureState DoneStateForMessage()
    {
        int state = Volatile.Read(ref _state);
        return (state & CompletingFlag) != 0 ? FutureState.Finished : (FutureState)(state & PublicStateMask);
    }

    /// <summary>Blocks until done, or throws <see cref="TimeoutException"/>.</summary>
    /// <param name="timeout">The caller's timeout, validated here.</param>
    /// <param name="paramName">The caller's parameter name.</param>
    private protected void WaitUntilDone(TimeSpan timeout, string paramName) => WaitUntilDone(timeout, timeProvider: null, paramName);

    /// <summary>Blocks until done, or throws <see cref="TimeoutException"/> once <paramref name="timeProvider"/> says the timeout passed.</summary>
    /// <param name="timeout">The caller's timeout, validated here.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system's.</param>
    /// <param name="paramName">The caller's parameter name.</param>
    private protected void WaitUntilDone(TimeSpan timeout, TimeProvider? timeProvider, string paramName)
    {
        Deadline.ValidateTimeout(timeout, paramName);
        if (IsDone)
        {
            return;
        }

        if (!WaitCore(Deadline.FromTimeout(timeout, timeProvider, paramName)))
        {
            throw ThrowHelper.CreateFutureTimeout(timeout);
        }
    }

    /// <summary>Throws the right exception for a done future that did not finish with a result.</summary>
    private protected void ThrowIfCanceledOrFaulted()
    {
        Debug.Assert(IsDone, "Only called once the future is done.");
        if (IsCanceled)
        {
            throw ThrowHelper.CreateFutureCanceledException();
        }

        _exception?.Throw();
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
        Task? existing = Interlocked.CompareExchange(ref _task, task, null);
        if (existing is not null)
        {
            return existing;
        }

        if (!TryAddObserver(bridge))
        {
            bridge.OnFutureDone(this);
        }

        return task;
    }

    /// <summary>Adds an observer unless the future is done.</summary>
    /// <returns><see langword="false"/> if the future is already done: the caller runs the observer itself.</returns>
    private bool TryAddObserver(object observer)
    {
        object? current = Volatile.Read(ref _observers);
        while (true)
        {
            if (current == s_done)
            {
                return false;
            }

            object updated = ObserverList.Add(current, observer);
            object? seen = Interlocked.CompareExchange(ref _observers, updated, current);
            if (ReferenceEquals(seen, current))
            {
                return true;
            }

            current = seen;
        }
    }

    private static bool HasCallbacks(object? observers) =>
        observers switch
        {
            null => false,
            Action<Future> => true,
            ObserverList list => Array.Exists(list.Items, static o => o is Action<Future>),
            _ => false,
        };

    /// <summary>
    /// Takes the observers (exactly once: only the one transition to done gets here) and notifies them
    /// outside any lock: internal waiters first, so that blocked threads wake before user callbacks run,
    /// then user callbacks in the order added. An executor worker completing the future counts as free
    /// before anything can see the future done when there is no callback (see
    /// <see cref="PublishFinished"/>), and only after the callbacks otherwise: they run on it.
    /// </summary>
    private void NotifyDone(IWorkerAvailability? worker = null, bool markedEarly = false)
    {
        object? observers = Interlocked.Exchange(ref _observers, s_done);
        Debug.Assert(observers != s_done, "A future becomes done once.");
        bool hasCallbacks = HasCallbacks(observers);
        if (markedEarly && hasCallbacks)
        {
            // A callback slipped in after the peek: this worker is not free until it has run it.
            worker!.MarkWorkerUnavailable();
        }

        switch (observers)
        {
            case null:
                break;
            case IFutureWaiter waiter:
                waiter.OnFutureDone(this);
                break;
            case Action<Future> callback:
                InvokeCallback(callback, this);
                break;
            case ObserverList list:
                foreach (object observer in list.Items)
                {
                    (observer as IFutureWaiter)?.OnFutureDone(this);
                }

                if (hasCallbacks)
                {
                    foreach (object observer in list.Items)
                    {
                        if (observer is Action<Future> callback)
                        {
                            InvokeCallback(callback, this);
                        }
                    }
                }

                break;
        }

        if (worker is not null && (hasCallbacks || !markedEarly))
        {
            worker.MarkWorkerAvailable();
        }
    }
}
