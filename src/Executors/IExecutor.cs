namespace Executors;

/// <summary>
/// Runs callables asynchronously and hands back <see cref="Future"/>s: the one abstraction over every
/// executor (CPython's <c>concurrent.futures.Executor</c>).
/// </summary>
/// <remarks>
/// Implementations are thread-safe: any thread may submit, map or shut down, including a task running
/// on the executor itself. <see cref="IDisposable.Dispose"/> is <c>Shutdown(wait: true)</c>;
/// <see cref="IAsyncDisposable.DisposeAsync"/> waits for the shutdown without blocking a thread.
/// </remarks>
public interface IExecutor : IDisposable, IAsyncDisposable
{
    /// <summary>Schedules <paramref name="fn"/> to run and returns a future for its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fn">The callable.</param>
    /// <returns>A future that finishes with <paramref name="fn"/>'s result or exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    Future<TResult> Submit<TResult>(Func<TResult> fn);

    /// <summary>Schedules <c>fn(arg)</c> to run and returns a future for its result.</summary>
    /// <typeparam name="T">The type of the argument.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fn">The callable.</param>
    /// <param name="arg">The argument passed to <paramref name="fn"/>.</param>
    /// <returns>A future that finishes with the result or exception of <c>fn(arg)</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    Future<TResult> Submit<T, TResult>(Func<T, TResult> fn, T arg);

    /// <summary>Schedules <paramref name="fn"/> to run and returns a value-less future for its completion.</summary>
    /// <param name="fn">The callable.</param>
    /// <returns>A future that finishes when <paramref name="fn"/> returns or throws.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    Future Submit(Action fn);

    /// <summary>
    /// Applies <paramref name="fn"/> to every item concurrently and yields the results in input order,
    /// lazily (CPython's <c>Executor.map</c>).
    /// </summary>
    /// <typeparam name="T">The type of the items.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="fn">The callable applied to each item.</param>
    /// <param name="items">The items. Without <paramref name="bufferSize"/> they are all read and submitted by this call.</param>
    /// <param name="timeout">
    /// The time, from this call, within which every result must be available; <see langword="null"/> for
    /// none. When it passes, the enumeration throws <see cref="TimeoutException"/>.
    /// </param>
    /// <param name="chunkSize">
    /// How many items travel together as one unit of work; must be at least 1. Only executors with a
    /// per-task transport cost (the process pool) batch; others accept and ignore it.
    /// </param>
    /// <param name="bufferSize">
    /// How many items may be submitted ahead of the consumer (CPython 3.14's <c>buffersize</c>), at
    /// least 1; <see langword="null"/> submits every item at once.
    /// </param>
    /// <returns>
    /// The results in input order. A task's exception is thrown when its result is reached. Disposing the
    /// enumerator early (or an exception or timeout) cancels the submitted work that has not started.
    /// The sequence can be enumerated once.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="items"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="chunkSize"/> or <paramref name="bufferSize"/> is less than 1, or <paramref name="timeout"/> is negative and not infinite.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The executor has been shut down.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> fn,
        IEnumerable<T> items,
        TimeSpan? timeout = null,
        int chunkSize = 1,
        int? bufferSize = null);

    /// <summary>
    /// Stops accepting work. Work already submitted still runs unless <paramref name="cancelFutures"/>
    /// cancels what has not started. Calling it again is allowed and has no further effect beyond its arguments.
    /// </summary>
    /// <param name="wait"><see langword="true"/> to block until all running and queued work is done and the workers have exited.</param>
    /// <param name="cancelFutures"><see langword="true"/> to cancel every submitted future that has not started running.</param>
    void Shutdown(bool wait = true, bool cancelFutures = false);
}
