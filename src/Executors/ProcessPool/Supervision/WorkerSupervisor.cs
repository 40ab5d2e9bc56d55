using System.Diagnostics;
using System.Globalization;
using Executors.Internal;
using Executors.ProcessPool.Protocol;

namespace Executors.ProcessPool.Supervision;

/// <summary>
/// The parent side of a process pool: the queue of calls not yet written to a worker, the workers,
/// and every decision about them (dispatch, start on demand, replace after a crash, recycle, shut
/// down, break).
/// </summary>
/// <remarks>
/// One lock, <see cref="_lock"/>, guards the queue, the worker list and each worker's counters. It is
/// never held while a future completes (callbacks are user code) or while a frame is written; the
/// decisions are taken under it and carried out after it is released.
/// </remarks>
internal sealed class WorkerSupervisor
{
    private readonly Lock _lock = new();
    private readonly Queue<IRemoteCall> _pending = new();

    /// <summary>Calls already Running whose worker died before they were written; dispatched before <see cref="_pending"/>.</summary>
    private readonly Queue<IRemoteCall> _retry = new();
    private readonly List<WorkerProcess> _workers = [];
    private readonly int _maxWorkers;
    private readonly int _maxTasksPerChild;
    private readonly TimeSpan _startTimeout;
    private readonly byte[]? _initializerPayload;
    private readonly WorkerLauncher _launcher;
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Workers ever started, for their index.</summary>
    private int _workersStarted;

    /// <summary>Workers lost in a row before their handshake.</summary>
    private int _consecutiveStartFailures;

    private bool _isShutdown;

    /// <summary>Why the pool is broken (initializer failed, or workers cannot start); null while usable.</summary>
    private BrokenProcessPoolException? _broken;

    public WorkerSupervisor(WorkerLauncher launcher, int maxWorkers, int maxTasksPerChild, TimeSpan startTimeout, byte[]? initializerPayload)
    {
        _launcher = launcher;
        _maxWorkers = maxWorkers;
        _maxTasksPerChild = maxTasksPerChild;
        _startTimeout = startTimeout;
        _initializerPayload = initializerPayload;
    }

    /// <summary>Gets a task that completes once shutdown has begun and every worker has exited with no work left.</summary>
    public Task AllExited => _allExited.Task;

    /// <summary>Gets the live workers, for tests and diagnostics.</summary>
    public IReadOnlyList<WorkerProcess> Workers
    {
        get
        {
            lock (_lock)
            {
                return [.. _workers];
            }
        }
    }

    /// <summary>Throws if no new work is accepted.</summary>
    public void ThrowIfNotAccepting(object executor)
    {
        lock (_lock)
        {
            ThrowIfNotAcceptingLocked(executor);
        }
    }

    /// <summary>Queues a call and writes it to a worker if one has room.</summary>
    public void Submit(IRemoteCall call, object executor)
    {
        List<(WorkerProcess, IRemoteCall)>? sends = null;
        lock (_lock)
        {
            ThrowIfNotAcceptingLocked(executor);
            _pending.Enqueue(call);
            DispatchLocked(ref sends);
            StartWorkersIfNeededLocked();
        }

        Send(sends);
    }

    /// <summary>Stops accepting work; cancels what has not been written to a worker if asked; tells idle workers to exit.</summary>
    public void Shutdown(bool cancelFutures)
    {
        List<IRemoteCall>? canceled = null;
        List<WorkerProcess> toStop = [];
        bool allExited;
        lock (_lock)
        {
            _isShutdown = true;
            if (cancelFutures && _pending.Count > 0)
            {
                canceled = [.. _pending];
                _pending.Clear();
            }

            CollectIdleForShutdownLocked(toStop);
            allExited = IsDrainedLocked();
        }

        if (canceled is not null)
        {
            foreach (IRemoteCall call in canceled)
            {
                call.DiscardFrame();
                call.Future.Cancel();
            }
        }

        foreach (WorkerProcess worker in toStop)
        {
            worker.SendShutdown();
        }

        if (allExited)
        {
            _allExited.TrySetResult();
        }
    }

    /// <summary>Blocks until every worker has exited.</summary>
    public void WaitForWorkers()
    {
        using var done = new ManualResetEventSlim();
        _allExited.Task.ContinueWith(_ => done.Set(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Blocking.Wait(done, Deadline.Infinite);
    }

    /// <summary>Signals every worker: SIGTERM, or SIGKILL when <paramref name="kill"/>.</summary>
    public void SignalAll(bool kill)
    {
        foreach (WorkerProcess worker in Workers)
        {
            if (kill)
            {
                worker.Kill();
            }
            else
            {
                worker.Terminate();
            }
        }
    }

    /// <summary>Called by a worker's reader once the Hello arrived.</summary>
    public void OnHello(WorkerProcess worker)
    {
        if (_initializerPayload is { } payload)
        {
            OutgoingFrame frame = OutgoingFramePool.Rent();
            payload.CopyTo(frame.GetSpan(payload.Length));
            frame.Advance(payload.Length);
            frame.Complete(MessageKind.Initialize, FrameFlags.None, callId: 0);
            worker.SendControl(frame);
            return;
        }

        OnInitialized(worker);
    }

    /// <summary>Called once the worker is ready for tasks.</summary>
    public void OnInitialized(WorkerProcess worker)
    {
        List<(WorkerProcess, IRemoteCall)>? sends = null;
        List<WorkerProcess> toStop = [];
        lock (_lock)
        {
            worker.IsReady = true;
            _consecutiveStartFailures = 0;
            DispatchLocked(ref sends);
            CollectIdleForShutdownLocked(toStop);
        }

        Send(sends);
        foreach (WorkerProcess stop in toStop)
        {
            stop.SendShutdown();
        }
    }

    /// <summary>Called after a worker answered a call.</summary>
    public void OnCallAnswered(WorkerProcess worker)
    {
        List<(WorkerProcess, IRemoteCall)>? sends = null;
        List<WorkerProcess> toStop = [];
        lock (_lock)
        {
            worker.InFlight--;
            Debug.Assert(worker.InFlight >= 0, "More answers than calls.");
            DispatchLocked(ref sends);
            CollectIdleForShutdownLocked(toStop);
            StartWorkersIfNeededLocked();
        }

        Send(sends);
        foreach (WorkerProcess stop in toStop)
        {
            stop.SendShutdown();
        }
    }

    /// <summary>Called when the initializer threw in a worker: the pool is broken (CPython semantics).</summary>
    public void OnInitializerFailed(WorkerProcess worker, Exception remote)
    {
        Break(new BrokenProcessPoolException(
            "A process initializer failed; the process pool is not usable anymore.",
            remote));
    }

    /// <summary>Tells whether a worker is still not ready when its start timeout fires.</summary>
    public bool IsStartOverdue(WorkerProcess worker)
    {
        lock (_lock)
        {
            return !worker.IsReady && _workers.Contains(worker);
        }
    }

    /// <summary>Called once per worker when it is gone (exited, crashed, killed, never started). Its calls are already failed.</summary>
    public void OnWorkerLost(WorkerProcess worker, string description)
    {
        BrokenProcessPoolException? breakWith = null;
        List<(WorkerProcess, IRemoteCall)>? sends = null;
        bool allExited;
        lock (_lock)
        {
            _workers.Remove(worker);
            if (!worker.IsReady && _broken is null)
            {
                _consecutiveStartFailures++;
                if (_consecutiveStartFailures >= ProcessPoolConstants.MaxConsecutiveStartFailures)
                {
                    breakWith = new BrokenProcessPoolException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{_consecutiveStartFailures} worker processes in a row failed to start; the last one: {description}."));
                }
            }

            if (breakWith is null)
            {
                // Unlike CPython, a lost worker does not break the pool: replace it if work is waiting.
                DispatchLocked(ref sends);
                StartWorkersIfNeededLocked();
            }

            allExited = _isShutdown && IsDrainedLocked();
        }

        Send(sends);
        if (breakWith is not null)
        {
            Break(breakWith);
        }
        else if (allExited)
        {
            _allExited.TrySetResult();
        }
    }

    /// <summary>Called first when a worker is lost: it takes no more calls (its own are failed next).</summary>
    public void OnWorkerLosing(WorkerProcess worker)
    {
        lock (_lock)
        {
            worker.IsLost = true;
        }
    }

    private void Send(List<(WorkerProcess Worker, IRemoteCall Call)>? sends)
    {
        while (sends is not null)
        {
            List<IRemoteCall>? returned = null;
            List<(WorkerProcess Worker, IRemoteCall Call, Exception Error)>? unserializable = null;
            foreach ((WorkerProcess worker, IRemoteCall call) in sends)
            {
                // A Map chunk serializes its items now, on this thread and outside the lock.
                try
                {
                    call.PrepareFrame();
                }
                catch (ArgumentException ex)
                {
                    (unserializable ??= []).Add((worker, call, ex));
                    continue;
                }

                if (!worker.Send(call))
                {
                    (returned ??= []).Add(call);
                }
            }

            if (returned is null && unserializable is null)
            {
                return;
            }

            // The worker died between dispatch and send: nothing was written, so the calls (already
            // Running) go back to the front of the queue for another worker. A call that could not be
            // serialized was not written either: its worker gets the slot back (and the task does not
            // count towards MaxTasksPerChild), and its future fails with the reason.
            sends = null;
            lock (_lock)
            {
                foreach (IRemoteCall call in returned ?? [])
                {
                    _retry.Enqueue(call);
                }

                foreach ((WorkerProcess worker, _, _) in unserializable ?? [])
                {
                    worker.InFlight--;
                    worker.TasksAssigned--;
                }

                DispatchLocked(ref sends);
                StartWorkersIfNeededLocked();
            }

            foreach ((_, IRemoteCall call, Exception error) in unserializable ?? [])
            {
                call.DiscardFrame();
                call.OnLost(error);
            }
        }
    }

    private void Break(BrokenProcessPoolException exception)
    {
        List<IRemoteCall> failed;
        List<WorkerProcess> workers;
        lock (_lock)
        {
            _broken ??= exception;
            failed = [.. _retry, .. _pending];
            _retry.Clear();
            _pending.Clear();
            workers = [.. _workers];
        }

        foreach (IRemoteCall call in failed)
        {
            call.DiscardFrame();
            call.OnLost(new BrokenProcessPoolException(exception.Message, exception.InnerException));
        }

        // The workers' in-flight calls fail as each one is lost.
        foreach (WorkerProcess worker in workers)
        {
            worker.Kill();
        }

        lock (_lock)
        {
            if (_workers.Count == 0)
            {
                _allExited.TrySetResult();
            }
        }
    }

    /// <summary>No worker left and no call waiting (pending or returned): once shut down, the pool is done.</summary>
    private bool IsDrainedLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        return _workers.Count == 0 && _pending.Count == 0 && _retry.Count == 0;
    }

    private void ThrowIfNotAcceptingLocked(object executor)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if (_broken is { } broken)
        {
            throw new BrokenProcessPoolException(broken.Message, broken.InnerException);
        }

        ObjectDisposedException.ThrowIf(_isShutdown, executor);
    }

    /// <summary>
    /// Writes waiting calls to ready workers, one call per worker at a time (CPython's pull model: a
    /// task never waits behind another on a busy worker while a worker is free, and a task not yet
    /// written stays Pending and cancelable). Pipelining deeper would hide the pipe round trip for
    /// tiny tasks, but without a way to take back an unstarted task it lets a long task hold others
    /// hostage; <c>Map(chunkSize)</c> is the way to amortize the round trip (docs/design/0004).
    /// </summary>
    private void DispatchLocked(ref List<(WorkerProcess, IRemoteCall)>? sends)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if ((_pending.Count == 0 && _retry.Count == 0) || _broken is not null)
        {
            return;
        }

        foreach (WorkerProcess worker in _workers)
        {
            if (!AcceptsCallsLocked(worker) || worker.InFlight >= ProcessPoolConstants.InFlightPerWorker)
            {
                continue;
            }

            IRemoteCall? call = TakeNextLocked();
            if (call is null)
            {
                return;
            }

            worker.InFlight++;
            worker.TasksAssigned++;
            (sends ??= []).Add((worker, call));
        }
    }

    /// <summary>A worker takes calls once ready, until it is lost, told to exit, or has been assigned MaxTasksPerChild tasks.</summary>
    private bool AcceptsCallsLocked(WorkerProcess worker) =>
        worker.IsReady && !worker.IsLost && !worker.ShutdownSent && !IsUsedUpLocked(worker);

    /// <summary>The worker has been assigned MaxTasksPerChild tasks: it finishes them and is replaced.</summary>
    private bool IsUsedUpLocked(WorkerProcess worker)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        return _maxTasksPerChild > 0 && worker.TasksAssigned >= _maxTasksPerChild;
    }

    /// <summary>Takes the next call to write: a returned one first, else a pending one that is not canceled (it becomes Running).</summary>
    private IRemoteCall? TakeNextLocked()
    {
        if (_retry.TryDequeue(out IRemoteCall? retry))
        {
            return retry;
        }

        while (_pending.TryDequeue(out IRemoteCall? call))
        {
            // Written to a worker = Running (CPython: moved to the call queue); a canceled call is dropped.
            if (call.Future.TrySetRunning())
            {
                return call;
            }

            call.DiscardFrame();
        }

        return null;
    }

    /// <summary>Starts workers while calls wait and the pool has room: workers start on demand, up to MaxWorkers.</summary>
    private void StartWorkersIfNeededLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if (_broken is not null)
        {
            return;
        }

        int starting = 0;
        foreach (WorkerProcess worker in _workers)
        {
            if (!worker.IsReady)
            {
                starting++;
            }
        }

        // A worker that is still starting will take calls too; start another only for calls beyond
        // what the starting ones will take at first, so that one quick Submit starts one process.
        while (_broken is null && _workers.Count < _maxWorkers && _pending.Count + _retry.Count > starting)
        {
            var worker = new WorkerProcess(this, _workersStarted++);
            _workers.Add(worker);
            starting++;

            // Process.Start under this lock: it is what serializes pool growth; starts are rare.
            worker.Start(_launcher, _startTimeout);
        }
    }

    /// <summary>Marks idle workers for exit when nothing is left for them: shutdown with an empty queue, or recycling.</summary>
    private void CollectIdleForShutdownLocked(List<WorkerProcess> toStop)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        foreach (WorkerProcess worker in _workers)
        {
            if (worker.ShutdownSent || worker.InFlight > 0 || !worker.IsReady || worker.IsLost)
            {
                continue;
            }

            if (IsUsedUpLocked(worker) || (_isShutdown && _pending.Count + _retry.Count == 0))
            {
                worker.ShutdownSent = true;
                toStop.Add(worker);
            }
        }
    }
}
