using System.Globalization;
using Executors.Internal;
using Executors.Testing.Internal;

namespace Executors.Testing;

/// <summary>
/// An executor that runs each task on the thread that submits it, before <c>Submit</c> returns: the
/// returned future is already done. Code under test becomes sequential and its tests need no waits.
/// </summary>
/// <remarks>
/// <para>
/// A task's exception goes into its future, never out of <c>Submit</c>, exactly as with a pool. Tasks
/// that tasks submit run at once, nested, on the same thread (deep recursive submission means a deep
/// stack). <c>Map</c> runs every item during the call (with a <c>bufferSize</c>, as the enumeration
/// submits it), so a result is never late and a timeout never passes.
/// </para>
/// <para>
/// Shutdown follows the real executors: later submissions throw <see cref="ObjectDisposedException"/>;
/// <c>Shutdown(wait: true)</c> waits for tasks that other threads are running inline at that moment,
/// never for the calling thread's own; <c>cancelFutures</c> finds nothing to cancel, since nothing is
/// ever queued.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public sealed class InlineExecutor : IExecutor
{
    /// <summary>A plain monitor: Shutdown waits on it for tasks running on other threads.</summary>
    private readonly object _sync = new();

    /// <summary>The thread running each task now (one entry per running task); guarded by <see cref="_sync"/>.</summary>
    private readonly List<Thread> _runningOn = [];

    /// <summary>Completed once shut down with nothing running (for DisposeAsync); guarded by <see cref="_sync"/>.</summary>
    private TaskCompletionSource? _drained;

    /// <summary>Set once by Shutdown; guarded by <see cref="_sync"/>.</summary>
    private bool _isShutdown;

    /// <summary>Tasks submitted so far; guarded by <see cref="_sync"/>.</summary>
    private int _submittedCount;

    /// <summary>Initializes a new instance of the <see cref="InlineExecutor"/> class.</summary>
    /// <param name="timeProvider">The clock that measures <c>Map</c> timeouts; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public InlineExecutor(TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the clock that measures <c>Map</c> timeouts.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets a value indicating whether <see cref="Shutdown"/> (or a dispose) has been called.</summary>
    public bool IsShutdown
    {
        get
        {
            lock (_sync)
            {
                return _isShutdown;
            }
        }
    }

    /// <summary>Gets how many tasks have been submitted (each <c>Map</c> item counts as one).</summary>
    public int SubmittedCount
    {
        get
        {
            lock (_sync)
            {
                return _submittedCount;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Runs <paramref name="fn"/> on the calling thread; the returned future is done.</remarks>
    public Future<TResult> Submit<TResult>(Func<TResult> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var future = new Future<TResult>();
        RunInline(future, () => TaskRunner.Complete(future, fn));
        return future;
    }

    /// <inheritdoc/>
    /// <remarks>Runs <c>fn(arg)</c> on the calling thread; the returned future is done.</remarks>
    public Future<TResult> Submit<T, TResult>(Func<T, TResult> fn, T arg)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var future = new Future<TResult>();
        RunInline(future, () => TaskRunner.Complete(future, fn, arg));
        return future;
    }

    /// <inheritdoc/>
    /// <remarks>Runs <paramref name="fn"/> on the calling thread; the returned future is done.</remarks>
    public Future Submit(Action fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var future = new Future();
        RunInline(future, () => TaskRunner.Complete(future, fn));
        return future;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Every item runs during this call (with <paramref name="bufferSize"/>, when the enumeration submits
    /// it); <paramref name="chunkSize"/> is validated and otherwise ignored. <paramref name="timeout"/> is
    /// measured with <see cref="TimeProvider"/>, and never passes: each result exists before it is awaited.
    /// </remarks>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> fn,
        IEnumerable<T> items,
        TimeSpan? timeout = null,
        int chunkSize = 1,
        int? bufferSize = null)
    {
        // The pools' argument checks; the timeout then runs from this call on this executor's clock.
        _ = MapResults<T, TResult>.ValidateCall(fn, items, timeout, chunkSize, bufferSize);
        Deadline deadline = Deadline.FromTimeout(timeout, TimeProvider, nameof(timeout));
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_isShutdown, this);
        }

        return MapResults<T, TResult>.Start(item => Submit(fn, item), items, deadline, bufferSize);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Nothing is ever queued, so <paramref name="cancelFutures"/> has nothing to cancel. With
    /// <paramref name="wait"/>, waits for tasks that other threads are running inline at this moment.
    /// </remarks>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        Thread current = Thread.CurrentThread;
        lock (_sync)
        {
            _isShutdown = true;
            CompleteDrainedIfIdleLocked();
            if (!wait)
            {
                return;
            }

            // Never for this thread's own tasks: a task that shuts down its executor cannot wait for itself.
            while (_runningOn.Exists(t => t != current))
            {
                Monitor.Wait(_sync);
            }
        }
    }

    /// <summary>Shuts the executor down and waits for tasks other threads are running: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts the executor down; the returned task completes when no thread is running one of its tasks.</summary>
    /// <returns>A task that completes when every running task has finished.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            _isShutdown = true;
            if (_runningOn.Count == 0)
            {
                return ValueTask.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_drained.Task);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"InlineExecutor (Submitted = {SubmittedCount}, IsShutdown = {IsShutdown})");

    private void RunInline(Future future, Action body)
    {
        Thread current = Thread.CurrentThread;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_isShutdown, this);
            _submittedCount++;
            _runningOn.Add(current);
        }

        try
        {
            // Always true: nobody else holds the new future yet. Checked as every work item does.
            if (future.TrySetRunning())
            {
                body();
            }
        }
        finally
        {
            lock (_sync)
            {
                _runningOn.Remove(current);
                CompleteDrainedIfIdleLocked();
                Monitor.PulseAll(_sync);
            }
        }
    }

    private void CompleteDrainedIfIdleLocked()
    {
        System.Diagnostics.Debug.Assert(Monitor.IsEntered(_sync), "Requires the lock.");
        if (_isShutdown && _runningOn.Count == 0)
        {
            // RunContinuationsAsynchronously: nothing runs under the lock.
            _drained?.TrySetResult();
        }
    }
}
