using System.Diagnostics;
using Executors.Internal;

namespace Executors.Testing.Internal;

/// <summary>
/// The queue and lifecycle behind <see cref="ManualExecutor"/> and <see cref="SeededExecutor"/>: tasks
/// wait here until a thread of the test takes one (<see cref="RunNext(int)"/>); which one is the oldest,
/// or the choice of a seeded generator. Shutdown follows the real executors (docs/design/0006).
/// </summary>
/// <remarks>
/// All members are thread-safe. One monitor, <see cref="_sync"/>, guards every field; it is a plain
/// object rather than a <see cref="Lock"/> because <see cref="RunNext(TimeSpan)"/> and the shutdown wait
/// sleep on conditions (<see cref="Monitor.Wait(object)"/>). Tasks run, and futures are canceled,
/// outside it: both run user code and done-callbacks, which may call back into the executor.
/// </remarks>
internal sealed class DrivenQueue
{
    private readonly object _sync = new();

    /// <summary>The public executor, named by <see cref="ObjectDisposedException"/>.</summary>
    private readonly IExecutor _owner;

    /// <summary>Picks the index of the next task among the first <c>n</c> pending; null takes the oldest. Called under <see cref="_sync"/>.</summary>
    private readonly Func<int, int>? _choose;

    /// <summary>Submitted tasks not yet taken, in submission (Id) order; guarded by <see cref="_sync"/>. Canceled ones are dropped when met.</summary>
    private readonly List<ScheduledTask> _pending = [];

    /// <summary>Every task started, in order, when a history is kept; guarded by <see cref="_sync"/>.</summary>
    private readonly List<ScheduledTask>? _history;

    /// <summary>The thread running each task now (one entry per running task); guarded by <see cref="_sync"/>.</summary>
    private readonly List<Thread> _runningOn = [];

    /// <summary>Completed once shut down with nothing pending or running (for DisposeAsync); guarded by <see cref="_sync"/>.</summary>
    private TaskCompletionSource? _drained;

    /// <summary>The Id of the next task submitted; guarded by <see cref="_sync"/>.</summary>
    private int _nextId;

    /// <summary>Set once by Shutdown; guarded by <see cref="_sync"/>.</summary>
    private bool _isShutdown;

    public DrivenQueue(IExecutor owner, Func<int, int>? choose, bool keepHistory)
    {
        _owner = owner;
        _choose = choose;
        _history = keepHistory ? [] : null;
    }

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

    /// <summary>Gets the tasks waiting to run, oldest first, without those canceled while waiting.</summary>
    public IReadOnlyList<ScheduledTask> Pending
    {
        get
        {
            lock (_sync)
            {
                return [.. _pending.Where(static t => !t.Future.IsCanceled)];
            }
        }
    }

    /// <summary>Gets a copy of the tasks started so far, in order.</summary>
    public IReadOnlyList<ScheduledTask> History
    {
        get
        {
            lock (_sync)
            {
                return _history is null ? [] : [.. _history];
            }
        }
    }

    public Future<TResult> Submit<TResult>(Func<TResult> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var future = new Future<TResult>();
        Enqueue(TaskDescription.Of("Submit", fn), future, () => TaskRunner.Complete(future, fn));
        return future;
    }

    public Future<TResult> Submit<T, TResult>(Func<T, TResult> fn, T arg)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var future = new Future<TResult>();
        Enqueue(TaskDescription.Of("Submit", fn, arg), future, () => TaskRunner.Complete(future, fn, arg));
        return future;
    }

    public Future Submit(Action fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var future = new Future();
        Enqueue(TaskDescription.Of("Submit", fn), future, () => TaskRunner.Complete(future, fn));
        return future;
    }

    /// <summary>Checks <c>Map</c>'s arguments as the pools do, then queues one task per item (<c>Map[i]</c>), its timeout on <paramref name="clock"/>.</summary>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> fn,
        IEnumerable<T> items,
        TimeSpan? timeout,
        int chunkSize,
        int? bufferSize,
        TimeProvider clock)
    {
        // The pools' argument checks; the timeout then runs from this call on the executor's clock.
        _ = MapResults<T, TResult>.ValidateCall(fn, items, timeout, chunkSize, bufferSize);
        Deadline deadline = Deadline.FromTimeout(timeout, clock, nameof(timeout));
        ThrowIfShutdown();

        // MapResults submits one item at a time, in input order: the count is the item's index.
        int submitted = 0;
        return MapResults<T, TResult>.Start(
            item =>
            {
                int index = submitted++;
                var future = new Future<TResult>();
                Enqueue(TaskDescription.Of($"Map[{index}]", fn, item), future, () => TaskRunner.Complete(future, fn, item));
                return future;
            },
            items,
            deadline,
            bufferSize);
    }

    public void ThrowIfShutdown()
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_isShutdown, _owner);
        }
    }

    /// <summary>Runs one pending task with an Id of at most <paramref name="maxId"/> on the calling thread.</summary>
    /// <returns><see langword="false"/> if there was none.</returns>
    public bool RunNext(int maxId = int.MaxValue)
    {
        ScheduledTask? task;
        lock (_sync)
        {
            task = TakeNextLocked(maxId);
        }

        if (task is null)
        {
            return false;
        }

        Run(task);
        return true;
    }

    /// <summary>Runs one pending task, waiting up to <paramref name="timeout"/> (real time) for one to be submitted.</summary>
    /// <returns><see langword="false"/> if none came in time, or the executor is shut down with nothing pending.</returns>
    public bool RunNext(TimeSpan timeout)
    {
        // Deadline validates, and clamps each wait to what Monitor.Wait accepts (int.MaxValue ms at most).
        Deadline deadline = Deadline.FromTimeout(timeout, nameof(timeout));
        ScheduledTask? task;
        lock (_sync)
        {
            while ((task = TakeNextLocked(int.MaxValue)) is null)
            {
                if (_isShutdown)
                {
                    // Nothing pending, and nothing can be submitted any more.
                    return false;
                }

                if (deadline.HasExpired)
                {
                    return false;
                }

                Monitor.Wait(_sync, deadline.RemainingMilliseconds);
            }
        }

        Run(task);
        return true;
    }

    /// <summary>Runs the tasks pending now, not those they submit; returns how many ran.</summary>
    public int RunAll()
    {
        int maxId;
        lock (_sync)
        {
            if (_pending.Count == 0)
            {
                return 0;
            }

            maxId = _pending[^1].Id;
        }

        int ran = 0;
        while (RunNext(maxId))
        {
            ran++;
        }

        return ran;
    }

    /// <summary>Runs tasks, including those they submit, until none is pending; returns how many ran.</summary>
    public int RunUntilIdle(int maxTasks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTasks);
        int ran = 0;
        while (true)
        {
            if (ran == maxTasks)
            {
                int stillPending = Pending.Count;
                if (stillPending > 0)
                {
                    throw ThrowHelper.CreateNotIdle(maxTasks, stillPending);
                }

                return ran;
            }

            if (!RunNext())
            {
                return ran;
            }

            ran++;
        }
    }

    /// <summary>
    /// Stops accepting work; cancels what is pending if asked; with <paramref name="wait"/>, runs what is
    /// still pending on the calling thread and then waits for tasks other threads are running.
    /// </summary>
    public void Shutdown(bool wait, bool cancelFutures)
    {
        List<ScheduledTask>? canceled = null;
        lock (_sync)
        {
            _isShutdown = true;
            if (cancelFutures && _pending.Count > 0)
            {
                canceled = [.. _pending];
                _pending.Clear();
            }

            // Wake RunNext(timeout) callers: with nothing pending they return now.
            Monitor.PulseAll(_sync);
            CompleteDrainedIfIdleLocked();
        }

        // Outside the lock: canceling runs done-callbacks, which may call back into the executor.
        if (canceled is not null)
        {
            foreach (ScheduledTask task in canceled)
            {
                task.Future.Cancel();
            }
        }

        if (!wait)
        {
            return;
        }

        // Nobody else is bound to run the queue: "wait until all work is done" runs it here.
        while (RunNext())
        {
        }

        // Then wait for the tasks other threads are running; never for this thread's own (a task that
        // shuts down its executor cannot wait for itself, as with the real executors).
        Thread current = Thread.CurrentThread;
        lock (_sync)
        {
            while (_runningOn.Exists(t => t != current))
            {
                Monitor.Wait(_sync);
            }
        }
    }

    /// <summary>Shuts down, runs what is pending on the calling thread, and returns a task for the tasks other threads still run.</summary>
    public ValueTask DisposeAsync()
    {
        Shutdown(wait: false, cancelFutures: false);
        while (RunNext())
        {
        }

        lock (_sync)
        {
            if (_runningOn.Count == 0)
            {
                return ValueTask.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_drained.Task);
        }
    }

    private void Enqueue(string description, Future future, Action body)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_isShutdown, _owner);
            _pending.Add(new ScheduledTask(_nextId++, description, future, body));
            Monitor.PulseAll(_sync);
        }
    }

    /// <summary>Takes the next task to run and marks it running on the calling thread, or returns null.</summary>
    private ScheduledTask? TakeNextLocked(int maxId)
    {
        Debug.Assert(Monitor.IsEntered(_sync), "Requires the lock.");
        while (true)
        {
            int candidates = CountUpToLocked(maxId);
            if (candidates == 0)
            {
                return null;
            }

            // Canceled tasks stay candidates until chosen (then dropped): purging them first would cost
            // a scan per run, and the choice sequence stays just as deterministic.
            int index = _choose is null ? 0 : _choose(candidates);
            ScheduledTask task = _pending[index];
            _pending.RemoveAt(index);

            // Under the lock, so that Shutdown's cancelFutures never sees a task both pending and started.
            // TrySetRunning runs no callbacks; it fails for a task canceled or finished by hand while it waited.
            if (task.Future.TrySetRunning())
            {
                _history?.Add(task);
                _runningOn.Add(Thread.CurrentThread);
                return task;
            }
        }
    }

    /// <summary>Counts the pending tasks with an Id of at most <paramref name="maxId"/>: a prefix, since Ids only grow.</summary>
    private int CountUpToLocked(int maxId)
    {
        Debug.Assert(Monitor.IsEntered(_sync), "Requires the lock.");
        if (_pending.Count == 0 || _pending[^1].Id <= maxId)
        {
            return _pending.Count;
        }

        int low = 0;
        int high = _pending.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_pending[middle].Id <= maxId)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Run(ScheduledTask task)
    {
        try
        {
            task.Run();
        }
        finally
        {
            lock (_sync)
            {
                _runningOn.Remove(Thread.CurrentThread);
                CompleteDrainedIfIdleLocked();
                Monitor.PulseAll(_sync);
            }
        }
    }

    private void CompleteDrainedIfIdleLocked()
    {
        Debug.Assert(Monitor.IsEntered(_sync), "Requires the lock.");
        if (_isShutdown && _pending.Count == 0 && _runningOn.Count == 0)
        {
            // RunContinuationsAsynchronously: nothing runs under the lock.
            _drained?.TrySetResult();
        }
    }
}
