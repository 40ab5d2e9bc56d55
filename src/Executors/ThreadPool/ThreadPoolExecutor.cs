using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Executors.Internal;

namespace Executors;

/// <summary>
/// Runs submitted work on its own pool of named worker threads (CPython's
/// <c>concurrent.futures.ThreadPoolExecutor</c>). Threads are started on demand, only when no idle
/// worker exists, up to <see cref="MaxWorkers"/>, and reused while idle.
/// </summary>
/// <remarks>
/// <para>
/// Use it for work that waits (I/O, blocking calls) or that must not block the calling thread. The
/// workers are dedicated threads, not .NET thread-pool threads, so blocking work cannot starve the
/// rest of the application. Worker threads are background threads: shut the executor down (or
/// dispose it) to run queued work to the end.
/// </para>
/// <para>All members are thread-safe. A task may submit to, map on or shut down its own executor.</para>
/// </remarks>
public sealed class ThreadPoolExecutor : IExecutor
{
    /// <summary>Numbers executors for default thread names (CPython's counter); incremented with Interlocked.</summary>
    private static int s_executorCount = -1;

    /// <summary>Guards the lifecycle fields below; Submit holds it while enqueuing so that no item slips in after shutdown.</summary>
    private readonly Lock _lock = new();

    private readonly WorkQueue _queue = new();
    private readonly string _threadNamePrefix;
    private readonly Action? _initializer;
    private readonly int _idleTimeoutMilliseconds;

    /// <summary>Gives each new worker its emulated lock (shared or its own); <see langword="null"/> with <see cref="GilMode.Disabled"/>, so the worker loop has no lock calls.</summary>
    private readonly Func<GlobalInterpreterLock>? _workerGil;

    /// <summary>Live workers; guarded by <see cref="_lock"/>.</summary>
    private readonly List<WorkerThread> _workers = [];

    /// <summary>Completed when shutdown has begun and the last worker has exited.</summary>
    private readonly TaskCompletionSource _allWorkersExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Workers ever started, for thread names; guarded by <see cref="_lock"/>.</summary>
    private int _workersStarted;

    /// <summary>Set once under <see cref="_lock"/>; volatile so that checks outside it see it promptly.</summary>
    private volatile bool _isShutdown;

    /// <summary>Set once under <see cref="_lock"/> when an initializer throws.</summary>
    private bool _isBroken;

    /// <summary>The initializer's exception that broke the pool; guarded by <see cref="_lock"/>.</summary>
    private Exception? _brokenBy;

    /// <summary>Initializes a new instance of the <see cref="ThreadPoolExecutor"/> class.</summary>
    /// <param name="maxWorkers">The maximum number of worker threads; <see langword="null"/> for <c>min(32, Environment.ProcessorCount + 4)</c>.</param>
    /// <param name="threadNamePrefix">The prefix of worker thread names (<c>{prefix}_{n}</c>); <see langword="null"/> for <c>ThreadPoolExecutor-{k}</c>.</param>
    /// <param name="initializer">A callable each worker runs once before its first task; if it throws, the pool becomes broken.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is 0 or negative.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null, Action? initializer = null)
        : this(CreateOptions(maxWorkers, threadNamePrefix, initializer))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ThreadPoolExecutor"/> class from options, which are copied.</summary>
    /// <param name="options">The options; later changes to them have no effect on this executor.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public ThreadPoolExecutor(ThreadPoolExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int executorNumber = Interlocked.Increment(ref s_executorCount);
        MaxWorkers = options.MaxWorkers ?? ThreadPoolConstants.DefaultMaxWorkers;
        // CPython: `thread_name_prefix or default`, so an empty prefix also means the default.
        _threadNamePrefix = !string.IsNullOrEmpty(options.ThreadNamePrefix)
            ? options.ThreadNamePrefix
            : string.Create(CultureInfo.InvariantCulture, $"{ThreadPoolConstants.DefaultThreadNamePrefixBase}{executorNumber}");
        _initializer = options.Initializer;
        _idleTimeoutMilliseconds = options.IdleTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.Infinite
            : (int)Math.Clamp(Math.Ceiling(options.IdleTimeout.TotalMilliseconds), 1, int.MaxValue - 1);

        GilMode = options.GilMode;
        if (options.GilLock is not null && GilMode != GilMode.Emulated)
        {
            ThrowHelper.ThrowGilLockWithoutEmulatedMode(GilMode, nameof(options));
        }

        if (GilMode == GilMode.Emulated)
        {
            GlobalInterpreterLock shared = options.GilLock ?? new GlobalInterpreterLock(options.GilOptions);
            GilLock = shared;
            _workerGil = () => shared;
        }
        else if (GilMode == GilMode.PerWorker)
        {
            GilOptions perWorker = options.GilOptions?.Clone() ?? new GilOptions();
            _workerGil = () => new GlobalInterpreterLock(perWorker);
        }
    }

    /// <summary>Gets the maximum number of worker threads.</summary>
    public int MaxWorkers { get; }

    /// <summary>Gets how the workers use the emulated global interpreter lock.</summary>
    public GilMode GilMode { get; }

    /// <summary>Gets the lock all workers share with <see cref="GilMode.Emulated"/> (for its statistics), or <see langword="null"/> in the other modes.</summary>
    public GlobalInterpreterLock? GilLock { get; }

    /// <summary>Gets the number of live worker threads, for tests and diagnostics.</summary>
    internal int WorkerCount
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>Gets the names of the live worker threads, for tests and diagnostics.</summary>
    internal IReadOnlyList<Thread> WorkerThreads
    {
        get
        {
            lock (_lock)
            {
                return _workers.Select(w => w.Thread).ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public Future<TResult> Submit<TResult>(Func<TResult> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var item = new CallableWorkItem<TResult>(fn);
        Schedule(item);
        return item;
    }

    /// <inheritdoc/>
    public Future<TResult> Submit<T, TResult>(Func<T, TResult> fn, T arg)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var item = new CallableWithArgWorkItem<T, TResult>(fn, arg);
        Schedule(item);
        return item;
    }

    /// <inheritdoc/>
    public Future Submit(Action fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var item = new ActionWorkItem(fn);
        Schedule(item);
        return item;
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="chunkSize"/> is validated and otherwise ignored: a thread pool has no per-task transport cost to amortize.</remarks>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> fn,
        IEnumerable<T> items,
        TimeSpan? timeout = null,
        int chunkSize = 1,
        int? bufferSize = null)
    {
        Deadline deadline = MapResults<T, TResult>.ValidateCall(fn, items, timeout, chunkSize, bufferSize);
        ThrowIfNotAccepting();
        return MapResults<T, TResult>.Start(item => Submit(fn, item), items, deadline, bufferSize);
    }

    /// <inheritdoc/>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        List<IWorkItem>? canceled = null;
        WorkerThread[] workers;
        bool noWorkers;
        lock (_lock)
        {
            _isShutdown = true;
            if (cancelFutures)
            {
                canceled = _queue.DrainAll();
            }

            _queue.Complete();
            workers = [.. _workers];
            noWorkers = workers.Length == 0;
        }

        if (noWorkers)
        {
            _allWorkersExited.TrySetResult();
        }

        // Outside the lock: canceling runs done-callbacks, which may call back into this executor.
        if (canceled is not null)
        {
            foreach (IWorkItem item in canceled)
            {
                item.Future.Cancel();
            }
        }

        if (wait)
        {
            Thread current = Thread.CurrentThread;
            foreach (WorkerThread worker in workers)
            {
                // A task that shuts down its own executor cannot wait for itself.
                if (worker.Thread != current)
                {
                    Blocking.Join(worker.Thread);
                }
            }
        }
    }

    /// <summary>Shuts the executor down and blocks until all its work is done: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Shuts the executor down and completes when all its work is done and its workers have exited, without blocking a thread.</summary>
    /// <returns>A task that completes when every worker has exited.</returns>
    public ValueTask DisposeAsync()
    {
        Shutdown(wait: false);
        return new ValueTask(_allWorkersExited.Task);
    }

    /// <summary>Called by a worker whose initializer threw: breaks the pool and fails everything queued.</summary>
    internal void OnInitializerFailed(Exception exception)
    {
        List<IWorkItem> failed;
        lock (_lock)
        {
            if (!_isBroken)
            {
                _isBroken = true;
                _brokenBy = exception;
            }

            failed = _queue.DrainAll();
        }

        // Outside the lock: failing a future runs its callbacks.
        foreach (IWorkItem item in failed)
        {
            item.Future.TrySetException(ThrowHelper.CreateBrokenThreadPool(exception));
        }
    }

    /// <summary>Called by a worker that is exiting because the queue is complete and empty, or after its initializer failed.</summary>
    internal void OnWorkerExited(WorkerThread worker)
    {
        bool lastAfterShutdown;
        lock (_lock)
        {
            bool removed = _workers.Remove(worker);
            Debug.Assert(removed, "Every exiting worker is registered.");
            lastAfterShutdown = _isShutdown && _workers.Count == 0;
        }

        if (lastAfterShutdown)
        {
            _allWorkersExited.TrySetResult();
        }
    }

    /// <summary>Called by a worker whose idle timeout passed; lets it exit unless work arrived meanwhile.</summary>
    /// <returns><see langword="true"/> if the worker must exit (it has been removed); <see langword="false"/> to keep working.</returns>
    internal bool TryRetireIdleWorker(WorkerThread worker)
    {
        bool lastAfterShutdown;
        lock (_lock)
        {
            // Submit enqueues under this lock and then looks for an idle worker or starts one; this
            // worker already gave up its idle registration. If an item is queued, a Submit may have
            // counted this worker among the live ones and started no thread for it: stay and run it.
            // (After shutdown too: queued work still runs, and this may be the last worker.)
            if (!_queue.IsEmpty)
            {
                return false;
            }

            _workers.Remove(worker);
            lastAfterShutdown = _isShutdown && _workers.Count == 0;
        }

        if (lastAfterShutdown)
        {
            _allWorkersExited.TrySetResult();
        }

        return true;
    }

    private static ThreadPoolExecutorOptions CreateOptions(int? maxWorkers, string? threadNamePrefix, Action? initializer)
    {
        // Validate here so that the exception names this constructor's parameter, not the option's setter.
        if (maxWorkers is { } workers && workers <= 0)
        {
            ThrowHelper.ThrowMaxWorkersOutOfRange(workers, nameof(maxWorkers));
        }

        return new ThreadPoolExecutorOptions { MaxWorkers = maxWorkers, ThreadNamePrefix = threadNamePrefix, Initializer = initializer };
    }

    private void Schedule(IWorkItem item)
    {
        Exception? startFailure = null;
        bool noWorkerLeft = false;
        lock (_lock)
        {
            ThrowIfNotAcceptingLocked();
            _queue.Enqueue(item);

            // CPython's _adjust_thread_count: reuse an idle worker if there is one, else start a
            // thread, unless the workers between two items already cover what is queued (a worker
            // that was still spinning may even have taken this item already).
            if (!_queue.TryWakeIdleWorker() && _workers.Count < MaxWorkers && _queue.NeedsAnotherWorker())
            {
                startFailure = TryStartWorkerLocked();
                noWorkerLeft = startFailure is not null && _workers.Count == 0;
            }
        }

        if (startFailure is not null)
        {
            // Outside the lock: failing the future runs its callbacks. With no live worker the item
            // would wait forever; with one, it stays queued for it. Either way the caller learns why.
            if (noWorkerLeft)
            {
                item.Future.TrySetException(startFailure);
            }

            ExceptionDispatchInfo.Throw(startFailure);
        }
    }

    private void ThrowIfNotAccepting()
    {
        lock (_lock)
        {
            ThrowIfNotAcceptingLocked();
        }
    }

    private void ThrowIfNotAcceptingLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if (_isBroken)
        {
            throw ThrowHelper.CreateBrokenThreadPool(_brokenBy);
        }

        ObjectDisposedException.ThrowIf(_isShutdown, this);
    }

    /// <summary>Starts one worker; returns the failure instead of leaving a phantom worker behind.</summary>
    private Exception? TryStartWorkerLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        string name = string.Create(CultureInfo.InvariantCulture, $"{_threadNamePrefix}_{_workersStarted}");
        var worker = new WorkerThread(this, _queue, name, _initializer, _idleTimeoutMilliseconds, _workerGil);
        try
        {
            worker.Start();
        }
        catch (Exception ex) when (ex is OutOfMemoryException or ThreadStartException)
        {
            return ex;
        }

        // Added after a successful start; the new thread cannot report its exit before we release the lock.
        _workersStarted++;
        _workers.Add(worker);
        return null;
    }
}
