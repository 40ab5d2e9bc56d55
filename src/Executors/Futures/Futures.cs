using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Executors.Internal;

namespace Executors;

/// <summary>
/// Waits on groups of futures: <see cref="Wait"/> and <see cref="AsCompleted"/>, as CPython's
/// <c>concurrent.futures.wait</c> and <c>as_completed</c>, plus their asynchronous forms.
/// </summary>
/// <remarks>All members are thread-safe. A future that appears more than once in the input counts once.</remarks>
public static class Futures
{
    /// <summary>
    /// Occurs when a done-callback added with <see cref="Future.AddDoneCallback"/> throws. The exception
    /// never reaches the code that completed the future (CPython logs it); subscribe to observe it.
    /// Without a subscriber the failure is written to <see cref="Trace"/>.
    /// </summary>
    /// <remarks>Raised on the thread that ran the callback, with a <see langword="null"/> sender. A handler that throws is ignored.</remarks>
    public static event EventHandler<FutureCallbackFailedEventArgs>? CallbackFailed;

    /// <summary>
    /// Blocks until the condition given by <paramref name="returnWhen"/> holds for
    /// <paramref name="futures"/>, or <paramref name="timeout"/> passes, and returns which were done.
    /// </summary>
    /// <param name="futures">The futures to wait on; duplicates count once.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="timeProvider">
    /// The clock that measures <paramref name="timeout"/>; <see langword="null"/> for the system's. With a
    /// fake clock (such as <c>FakeTimeProvider</c>) the wait times out only when the test advances it.
    /// </param>
    /// <returns>The distinct futures that were done and those that were not. A timeout is not an error: it returns what is done so far.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> is or contains <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or <paramref name="returnWhen"/> is not defined.</exception>
    public static DoneAndNotDone Wait(
        IEnumerable<Future> futures,
        TimeSpan? timeout = null,
        ReturnWhen returnWhen = ReturnWhen.AllCompleted,
        TimeProvider? timeProvider = null)
    {
        HashSet<Future> set = ToDistinctSet(futures);
        ValidateReturnWhen(returnWhen);
        Deadline deadline = Deadline.FromTimeout(timeout, timeProvider, nameof(timeout));

        if (ConditionHolds(set, returnWhen, out List<Future> notDone))
        {
            return Snapshot(set);
        }

        if (returnWhen == ReturnWhen.AllCompleted)
        {
            // All must be done: wait for each in turn. By the time one is done most later ones
            // usually are too, so this registers nothing on them (no waiter list per future).
            foreach (Future future in notDone)
            {
                if (!future.WaitCore(deadline))
                {
                    break;
                }
            }

            return Snapshot(set);
        }

        var waiter = new CompletionWaiter(returnWhen, notDone.Count, forAsync: false);
        Register(notDone, waiter);
        try
        {
            waiter.Wait(deadline);
        }
        finally
        {
            Unregister(notDone, waiter);
        }

        return Snapshot(set);
    }

    /// <summary>
    /// Waits, without blocking a thread, until the condition given by <paramref name="returnWhen"/>
    /// holds for <paramref name="futures"/>, or <paramref name="timeout"/> passes.
    /// </summary>
    /// <param name="futures">The futures to wait on; duplicates count once.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <param name="cancellationToken">Cancels the wait (not the futures).</param>
    /// <returns>The distinct futures that were done and those that were not.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> is or contains <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite, or <paramref name="returnWhen"/> is not defined.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled (from the returned task).</exception>
    public static Task<DoneAndNotDone> WaitAsync(
        IEnumerable<Future> futures,
        TimeSpan? timeout = null,
        ReturnWhen returnWhen = ReturnWhen.AllCompleted,
        CancellationToken cancellationToken = default)
    {
        // Usage errors throw here, synchronously (TAP); everything else goes into the task.
        HashSet<Future> set = ToDistinctSet(futures);
        ValidateReturnWhen(returnWhen);
        Deadline deadline = Deadline.FromTimeout(timeout, nameof(timeout));

        if (ConditionHolds(set, returnWhen, out List<Future> notDone))
        {
            return Task.FromResult(Snapshot(set));
        }

        return WaitAsyncCore(set, notDone, returnWhen, deadline, cancellationToken);
    }

    /// <summary>
    /// Yields each distinct future of <paramref name="futures"/> once, as it becomes done: those already
    /// done first, then in completion order.
    /// </summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are yielded once.</param>
    /// <param name="timeout">
    /// The time, from this call, within which all futures must be yielded; <see langword="null"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> for none.
    /// </param>
    /// <param name="timeProvider">
    /// The clock that measures <paramref name="timeout"/>; <see langword="null"/> for the system's. With a
    /// fake clock (such as <c>FakeTimeProvider</c>) the enumeration times out only when the test advances it.
    /// </param>
    /// <returns>A lazy sequence; the futures are observed from the first <c>MoveNext</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> is or contains <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="TimeoutException">Thrown by the enumeration when the timeout passes before every future is done.</exception>
    public static IEnumerable<TFuture> AsCompleted<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, TimeProvider? timeProvider = null)
        where TFuture : Future
    {
        List<TFuture> distinct = ToDistinctList(futures);
        Deadline deadline = Deadline.FromTimeout(timeout, timeProvider, nameof(timeout));
        return AsCompletedIterator(distinct, deadline);
    }

    /// <summary>
    /// Yields each distinct future of <paramref name="futures"/> once, as it becomes done, without
    /// blocking a thread: those already done first, then in completion order.
    /// </summary>
    /// <typeparam name="TFuture">The future type.</typeparam>
    /// <param name="futures">The futures; duplicates are yielded once.</param>
    /// <param name="timeout">The time, from this call, within which all futures must be yielded; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the enumeration (not the futures).</param>
    /// <returns>A lazy asynchronous sequence.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> is or contains <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="TimeoutException">Thrown by the enumeration when the timeout passes before every future is done.</exception>
    public static IAsyncEnumerable<TFuture> AsCompletedAsync<TFuture>(
        IEnumerable<TFuture> futures,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
        where TFuture : Future
    {
        List<TFuture> distinct = ToDistinctList(futures);
        Deadline deadline = Deadline.FromTimeout(timeout, nameof(timeout));
        return AsCompletedAsyncIterator(distinct, deadline, cancellationToken);
    }

    /// <summary>Reports a done-callback's exception through <see cref="CallbackFailed"/>, never throwing.</summary>
    /// <param name="future">The future whose callback threw.</param>
    /// <param name="exception">The exception.</param>
    internal static void ReportCallbackFailure(Future future, Exception exception)
    {
        EventHandler<FutureCallbackFailedEventArgs>? handler = CallbackFailed;
        if (handler is not null)
        {
            try
            {
                handler(null, new FutureCallbackFailedEventArgs(future, exception));
                return;
            }
            catch (Exception handlerException)
            {
                // The observer itself failed: fall through to the trace, with both exceptions.
                exception = new AggregateException(exception, handlerException);
            }
        }

        Trace.TraceError("Executors: exception calling a done-callback of {0}: {1}", future, exception);
    }

    private static async Task<DoneAndNotDone> WaitAsyncCore(
        HashSet<Future> set,
        List<Future> notDone,
        ReturnWhen returnWhen,
        Deadline deadline,
        CancellationToken cancellationToken)
    {
        var waiter = new CompletionWaiter(returnWhen, notDone.Count, forAsync: true);
        Register(notDone, waiter);
        try
        {
            while (true)
            {
                try
                {
                    // Clamped: Task.WaitAsync rejects timeouts beyond ~49 days; a longer deadline waits in rounds.
                    await waiter.Task.WaitAsync(deadline.RemainingClamped, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (TimeoutException) when (deadline.HasExpired)
                {
                    // A timeout is not an error for Wait: return what is done so far.
                    break;
                }
                catch (TimeoutException)
                {
                    // A round of a very long deadline ended; wait again.
                }
            }
        }
        finally
        {
            Unregister(notDone, waiter);
        }

        return Snapshot(set);
    }

    private static IEnumerable<TFuture> AsCompletedIterator<TFuture>(List<TFuture> futures, Deadline deadline)
        where TFuture : Future
    {
        var waiter = new AsCompletedWaiter();
        List<TFuture> alreadyDone = RegisterForAsCompleted(futures, waiter, out List<TFuture> registered);
        try
        {
            foreach (TFuture future in alreadyDone)
            {
                yield return future;
            }

            for (int remaining = registered.Count; remaining > 0; remaining--)
            {
                if (!Blocking.Wait(waiter.Available, deadline))
                {
                    throw ThrowHelper.CreateAsCompletedTimeout(remaining, futures.Count);
                }

                yield return TakeCompleted<TFuture>(waiter);
            }
        }
        finally
        {
            Unregister(registered, waiter);
        }
    }

    private static async IAsyncEnumerable<TFuture> AsCompletedAsyncIterator<TFuture>(
        List<TFuture> futures,
        Deadline deadline,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TFuture : Future
    {
        var waiter = new AsCompletedWaiter();
        List<TFuture> alreadyDone = RegisterForAsCompleted(futures, waiter, out List<TFuture> registered);
        try
        {
            foreach (TFuture future in alreadyDone)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return future;
            }

            for (int remaining = registered.Count; remaining > 0; remaining--)
            {
                // Clamped: SemaphoreSlim.WaitAsync rejects timeouts beyond ~24 days; a longer deadline waits in rounds.
                while (!await waiter.Available.WaitAsync(deadline.RemainingClamped, cancellationToken).ConfigureAwait(false))
                {
                    if (deadline.HasExpired)
                    {
                        throw ThrowHelper.CreateAsCompletedTimeout(remaining, futures.Count);
                    }
                }

                yield return TakeCompleted<TFuture>(waiter);
            }
        }
        finally
        {
            Unregister(registered, waiter);
        }
    }

    /// <summary>Splits <paramref name="futures"/> into those already done (returned, input order) and those the waiter now observes.</summary>
    private static List<TFuture> RegisterForAsCompleted<TFuture>(List<TFuture> futures, AsCompletedWaiter waiter, out List<TFuture> registered)
        where TFuture : Future
    {
        var done = new List<TFuture>();
        registered = new List<TFuture>(futures.Count);
        foreach (TFuture future in futures)
        {
            // TryAddWaiter fails only if the future became done since IsDone was read: it is done, not registered.
            if (!future.IsDone && future.TryAddWaiter(waiter))
            {
                registered.Add(future);
            }
            else
            {
                done.Add(future);
            }
        }

        return done;
    }

    private static TFuture TakeCompleted<TFuture>(AsCompletedWaiter waiter)
        where TFuture : Future
    {
        // The semaphore count was taken, so a future was enqueued before it was released.
        bool taken = waiter.Completed.TryDequeue(out Future? future);
        Debug.Assert(taken, "A released count always has a queued future.");
        return (TFuture)future!;
    }

    private static void Register(List<Future> futures, CompletionWaiter waiter)
    {
        foreach (Future future in futures)
        {
            if (!future.TryAddWaiter(waiter))
            {
                // Done since the condition was checked: count it now, exactly once.
                waiter.OnFutureDone(future);
            }
        }
    }

    private static void Unregister<TFuture>(List<TFuture> futures, IFutureWaiter waiter)
        where TFuture : Future
    {
        foreach (TFuture future in futures)
        {
            future.RemoveWaiter(waiter);
        }
    }

    private static bool ConditionHolds(HashSet<Future> futures, ReturnWhen returnWhen, out List<Future> notDone)
    {
        notDone = [];
        bool anyDone = false;
        bool anyException = false;
        foreach (Future future in futures)
        {
            if (!future.IsDone)
            {
                notDone.Add(future);
                continue;
            }

            anyDone = true;
            anyException |= !future.IsCanceled && future.ExceptionInfo is not null;
        }

        return notDone.Count == 0 || returnWhen switch
        {
            ReturnWhen.FirstCompleted => anyDone,
            ReturnWhen.FirstException => anyException,
            _ => false,
        };
    }

    private static DoneAndNotDone Snapshot(HashSet<Future> futures)
    {
        int doneCount = 0;
        foreach (Future future in futures)
        {
            if (future.IsDone)
            {
                doneCount++;
            }
        }

        // The common outcome, everything done: hand out the distinct set itself, read-only, instead of copying it.
        if (doneCount == futures.Count)
        {
            return new DoneAndNotDone(new ReadOnlySet<Future>(futures), ReadOnlySet<Future>.Empty);
        }

        var done = new HashSet<Future>(doneCount, ReferenceEqualityComparer.Instance);
        var notDone = new HashSet<Future>(futures.Count - doneCount, ReferenceEqualityComparer.Instance);
        foreach (Future future in futures)
        {
            (future.IsDone ? done : notDone).Add(future);
        }

        return new DoneAndNotDone(new ReadOnlySet<Future>(done), new ReadOnlySet<Future>(notDone));
    }

    private static HashSet<Future> ToDistinctSet(IEnumerable<Future> futures)
    {
        ArgumentNullException.ThrowIfNull(futures);
        var set = futures.TryGetNonEnumeratedCount(out int count)
            ? new HashSet<Future>(count, ReferenceEqualityComparer.Instance)
            : new HashSet<Future>(ReferenceEqualityComparer.Instance);
        foreach (Future future in futures)
        {
            if (future is null)
            {
                ThrowHelper.ThrowNullFutureInSequence(nameof(futures));
            }

            set.Add(future);
        }

        return set;
    }

    private static List<TFuture> ToDistinctList<TFuture>(IEnumerable<TFuture> futures)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(futures);
        var seen = new HashSet<Future>(ReferenceEqualityComparer.Instance);
        var list = new List<TFuture>();
        foreach (TFuture future in futures)
        {
            if (future is null)
            {
                ThrowHelper.ThrowNullFutureInSequence(nameof(futures));
            }

            if (seen.Add(future))
            {
                list.Add(future);
            }
        }

        return list;
    }

    private static void ValidateReturnWhen(ReturnWhen returnWhen)
    {
        if (returnWhen is not (ReturnWhen.FirstCompleted or ReturnWhen.FirstException or ReturnWhen.AllCompleted))
        {
            ThrowHelper.ThrowUndefinedReturnWhen(returnWhen);
        }
    }
}
