using System.Globalization;
using Executors.Testing.Internal;

namespace Executors.Testing;

/// <summary>
/// An executor that runs nothing by itself: submitted tasks wait in a queue until the test runs them
/// with <see cref="RunNext()"/>, <see cref="RunAll"/> or <see cref="RunUntilIdle"/>, oldest first, on
/// the thread that calls. The test decides exactly when each task runs, and so sees every state in
/// between (work submitted but not started, the first task done and the second not, ...).
/// </summary>
/// <remarks>
/// <para>
/// Tasks that tasks submit are queued too. <see cref="Pending"/> lists what waits, with a description
/// of each task. Done-callbacks run on the thread that runs the task, as with the real executors.
/// </para>
/// <para>
/// Shutdown follows the real executors: later submissions throw <see cref="ObjectDisposedException"/>,
/// queued work still runs when the test runs it, and <c>cancelFutures</c> cancels what has not started.
/// Because no worker exists to finish the queue, <c>Shutdown(wait: true)</c> (and so
/// <see cref="Dispose"/> and <see cref="DisposeAsync"/>) runs every task still pending on the calling
/// thread, then waits for tasks that other threads are running. It never deadlocks on a queue only the
/// test could run; it never waits for the calling thread's own task.
/// </para>
/// <para>
/// A blocking wait for one of its futures (<c>GetResult</c>, <c>Map</c>'s results) on the only thread
/// that runs its tasks waits forever, as a one-worker pool would for a task waiting on a task behind
/// it: run the work first, or wait on another thread. <c>Map</c>'s timeout is measured with
/// <see cref="TimeProvider"/>.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public sealed class ManualExecutor : IExecutor
{
    private readonly DrivenQueue _queue;

    /// <summary>Initializes a new instance of the <see cref="ManualExecutor"/> class.</summary>
    /// <param name="timeProvider">The clock that measures <c>Map</c> timeouts; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public ManualExecutor(TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _queue = new DrivenQueue(this, choose: null, keepHistory: false);
    }

    /// <summary>Gets the clock that measures <c>Map</c> timeouts.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets a value indicating whether <see cref="Shutdown"/> (or a dispose) has been called.</summary>
    public bool IsShutdown => _queue.IsShutdown;

    /// <summary>
    /// Gets a snapshot of the tasks waiting to run, oldest first: <c>Pending.Count</c> is how many, and
    /// each <see cref="ScheduledTask"/> says what it is. Tasks canceled while waiting are not listed.
    /// </summary>
    public IReadOnlyList<ScheduledTask> Pending => _queue.Pending;

    /// <summary>Runs the oldest pending task on the calling thread, if there is one.</summary>
    /// <returns><see langword="true"/> if a task ran; <see langword="false"/> if none was pending.</returns>
    public bool RunNext() => _queue.RunNext();

    /// <summary>
    /// Runs the oldest pending task on the calling thread, first waiting up to <paramref name="timeout"/>
    /// for one to be submitted. For tests in which other threads submit: a thread that loops on this
    /// acts as a worker.
    /// </summary>
    /// <param name="timeout">How long to wait, in real time, for a task; <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <returns>
    /// <see langword="true"/> if a task ran; <see langword="false"/> if none was submitted in time, or
    /// the executor is shut down with nothing pending (so none ever will be).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    public bool RunNext(TimeSpan timeout) => _queue.RunNext(timeout);

    /// <summary>Runs the tasks pending now, oldest first, on the calling thread; tasks they submit stay queued.</summary>
    /// <returns>How many tasks ran.</returns>
    public int RunAll() => _queue.RunAll();

    /// <summary>Runs pending tasks, oldest first and including those they submit, until none is pending.</summary>
    /// <param name="maxTasks">The most tasks to run; a queue still not empty after that many throws. The default is 100,000.</param>
    /// <returns>How many tasks ran.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTasks"/> is 0 or negative.</exception>
    /// <exception cref="InvalidOperationException">Tasks were still pending after <paramref name="maxTasks"/> had run.</exception>
    public int RunUntilIdle(int maxTasks = TestingConstants.DefaultMaxTasks) => _queue.RunUntilIdle(maxTasks);

    /// <inheritdoc/>
    /// <remarks>The task is queued; it runs when the test runs it.</remarks>
    public Future<TResult> Submit<TResult>(Func<TResult> fn) => _queue.Submit(fn);

    /// <inheritdoc/>
    /// <remarks>The task is queued; it runs when the test runs it.</remarks>
    public Future<TResult> Submit<T, TResult>(Func<T, TResult> fn, T arg) => _queue.Submit(fn, arg);

    /// <inheritdoc/>
    /// <remarks>The task is queued; it runs when the test runs it.</remarks>
    public Future Submit(Action fn) => _queue.Submit(fn);

    /// <inheritdoc/>
    /// <remarks>
    /// Every item becomes one queued task (described as <c>Map[i]</c>); <paramref name="chunkSize"/> is
    /// validated and otherwise ignored. <paramref name="timeout"/> is measured with <see cref="TimeProvider"/>.
    /// </remarks>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> fn,
        IEnumerable<T> items,
        TimeSpan? timeout = null,
        int chunkSize = 1,
        int? bufferSize = null)
    {
        return _queue.Map(fn, items, timeout, chunkSize, bufferSize, TimeProvider);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With <paramref name="wait"/>, every task still pending runs on the calling thread before this
    /// returns (there is no worker to run it), and then tasks other threads are running are waited for.
    /// Without it, pending tasks stay queued and still run when the test runs them.
    /// </remarks>
    public void Shutdown(bool wait = true, bool cancelFutures = false) => _queue.Shutdown(wait, cancelFutures);

    /// <summary>Shuts the executor down, running what is pending on the calling thread: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>
    /// Shuts the executor down and runs what is pending on the calling thread, as <see cref="Dispose"/>
    /// does; the returned task completes when tasks other threads are running have finished too.
    /// </summary>
    /// <returns>A task that completes when no task is pending or running.</returns>
    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ManualExecutor (Pending = {Pending.Count}, IsShutdown = {IsShutdown})");
}
