using System.Diagnostics;
using System.Globalization;
using Executors.Internal;
using Executors.ProcessPool.Protocol;

namespace Executors.ProcessPool.Supervision;

/// <summary>
/// The parent side of a process pool: the queue of calls not yet written to a worker, the workers,
/// and every decision about them (dispatch, start on demand, move an unstarted call to an idle worker,
/// replace after a crash, recycle, shut down, break).
/// </summary>
/// <remarks>
/// <para>
/// One lock, <see cref="_lock"/>, guards the queues, the worker list and each worker's counters. It is
/// never held while a future completes (callbacks are user code) or while a frame is written; the
/// decisions are taken under it and carried out after it is released (<see cref="Actions"/>).
/// </para>
/// <para>
/// Dispatch pipelines: a worker holds up to <see cref="ProcessPoolConstants.InFlightPerWorker"/> calls
/// (the one it runs and some behind it), least-loaded worker first. When a worker goes idle while
/// another holds calls that may not have started, the last of them is revoked and, once the worker
/// confirms (<c>Revoked</c>), sent to the idle one: a call never waits long behind a long one while a
/// worker is free (docs/design/0005).
/// </para>
/// </remarks>
internal sealed class WorkerSupervisor
{
    private readonly Lock _lock = new();
    private readonly Queue<IRemoteCall> _pending = new();

    /// <summary>Calls already Running that must be sent again (worker died before or without starting them, or they were revoked); dispatched before <see cref="_pending"/>.</summary>
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

    /// <summary>Set by <see cref="SignalAll"/>: calls left unstarted by a worker that is lost fail instead of being sent again.</summary>
    private bool _isStopping;

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

    /// <summary>Gets the number of revokes sent so far, for tests and diagnostics.</summary>
    public int RevokesSent { get; private set; }

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
        var actions = default(Actions);
        lock (_lock)
        {
            ThrowIfNotAcceptingLocked(executor);
            _pending.Enqueue(call);
            DispatchLocked(ref actions);
            StartWorkersIfNeededLocked();
        }

        Carry(actions);
    }

    /// <summary>Stops accepting work; cancels what has not been written to a worker if asked; tells idle workers to exit.</summary>
    public void Shutdown(bool cancelFutures)
    {
        List<IRemoteCall>? canceled = null;
        var actions = default(Actions);
        bool allExited;
        lock (_lock)
        {
            _isShutdown = true;
            if (cancelFutures && _pending.Count > 0)
            {
                canceled = [.. _pending];
                _pending.Clear();
            }

            CollectIdleForShutdownLocked(ref actions);
            allExited = IsDrainedLocked();
        }

        if (canceled is not null)
        {
            foreach (IRemoteCall call in canceled)
            {
                call.ReleaseFrame();
                call.Future.Cancel();
            }
        }

        Carry(actions);
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

    /// <summary>Signals every worker: SIGTERM, or SIGKILL when <paramref name="kill"/>. Their calls fail, running or not.</summary>
    public void SignalAll(bool kill)
    {
        lock (_lock)
        {
            _isStopping = true;
        }

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
        var actions = default(Actions);
        lock (_lock)
        {
            worker.IsReady = true;
            _consecutiveStartFailures = 0;
            DispatchLocked(ref actions, refill: worker);
            RebalanceLocked(ref actions);
            CollectIdleForShutdownLocked(ref actions);
        }

        Carry(actions);
    }

    /// <summary>Called after a worker answered a call (Result or Error).</summary>
    /// <param name="worker">The worker.</param>
    /// <param name="hadRevoke">Whether a revoke of that call was pending: it lost the race and is settled now.</param>
    /// <param name="refill">Whether to top the worker's window up now: its reader has no further answer buffered.</param>
    public void OnCallAnswered(WorkerProcess worker, bool hadRevoke, bool refill)
    {
        var actions = default(Actions);
        lock (_lock)
        {
            worker.InFlight--;
            Debug.Assert(worker.InFlight >= 0, "More answers than calls.");
            if (hadRevoke)
            {
                SettleRevokeLocked(worker);
            }

            DispatchLocked(ref actions, refill ? worker : null);
            RebalanceLocked(ref actions);
            CollectIdleForShutdownLocked(ref actions);
            StartWorkersIfNeededLocked();
        }

        Carry(actions);
    }

    /// <summary>Called when a worker gave a call back unstarted (<c>Revoked</c>): it goes to another worker.</summary>
    public void OnRevoked(WorkerProcess worker, IRemoteCall call)
    {
        var actions = default(Actions);
        lock (_lock)
        {
            // It never ran there: the slot and the MaxTasksPerChild count go back to that worker.
            worker.InFlight--;
            worker.TasksAssigned--;
            SettleRevokeLocked(worker);
            if (_broken is not null)
            {
                actions.Fail(call, new BrokenProcessPoolException(_broken.Message, _broken.InnerException), release: true);
            }
            else
            {
                _retry.Enqueue(call);
                DispatchLocked(ref actions);
                RebalanceLocked(ref actions);
                StartWorkersIfNeededLocked();
            }

            CollectIdleForShutdownLocked(ref actions);
        }

        Carry(actions);
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

    /// <summary>Called first when a worker is lost: it takes no more calls (its own are settled next).</summary>
    public void OnWorkerLosing(WorkerProcess worker)
    {
        lock (_lock)
        {
            worker.IsLost = true;
            worker.RevokesPending = 0;
        }
    }

    /// <summary>
    /// Called once per worker when it is gone (exited, crashed, killed, never started). The calls it may
    /// have started are already failed; <paramref name="unstarted"/> are the ones it certainly never
    /// started: they go to another worker, unless the pool is stopping or broken.
    /// </summary>
    public void OnWorkerLost(WorkerProcess worker, string description, IReadOnlyList<IRemoteCall> unstarted)
    {
        BrokenProcessPoolException? breakWith = null;
        var actions = default(Actions);
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

            foreach (IRemoteCall call in unstarted)
            {
                if (_isStopping || _broken is not null || breakWith is not null)
                {
                    // KillWorkers / TerminateWorkers (CPython: every call in the call queue breaks), or a broken pool.
                    string why = _isStopping ? "its workers were stopped" : "the pool is broken";
                    actions.Fail(call, new BrokenProcessPoolException($"{description}; this task had not started there, but {why}."), release: false);
                }
                else
                {
                    // Never started there (docs/design/0005): it runs elsewhere, from a copy of its frame.
                    call.RenewFrame();
                    _retry.Enqueue(call);
                }
            }

            if (breakWith is null)
            {
                // Unlike CPython, a lost worker does not break the pool: replace it if work is waiting.
                DispatchLocked(ref actions);
                RebalanceLocked(ref actions);
                StartWorkersIfNeededLocked();
            }

            allExited = _isShutdown && IsDrainedLocked();
        }

        Carry(actions);
        if (breakWith is not null)
        {
            Break(breakWith);
        }
        else if (allExited)
        {
            _allExited.TrySetResult();
        }
    }

    /// <summary>Carries out what was decided under the lock: sends, revokes, shutdowns and failures, in that order.</summary>
    private void Carry(Actions actions)
    {
        while (!actions.IsEmpty)
        {
            List<IRemoteCall>? returned = null;
            List<(WorkerProcess Worker, IRemoteCall Call, Exception Error)>? unserializable = null;
            if (actions.Sends is { } sends)
            {
                var batch = new List<IRemoteCall>(sends.Count);
                WorkerProcess? batchWorker = null;
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

                    if (worker != batchWorker)
                    {
                        SendBatch(batchWorker, batch, ref returned);
                        batchWorker = worker;
                    }

                    batch.Add(call);
                }

                SendBatch(batchWorker, batch, ref returned);
            }

            if (actions.Revokes is { } revokes)
            {
                foreach ((WorkerProcess worker, long callId) in revokes)
                {
                    worker.SendRevoke(callId);
                }
            }

            if (actions.Stops is { } stops)
            {
                foreach (WorkerProcess worker in stops)
                {
                    worker.SendShutdown();
                }
            }

            if (actions.Failures is { } failures)
            {
                foreach ((IRemoteCall call, Exception error, bool release) in failures)
                {
                    if (release)
                    {
                        call.ReleaseFrame();
                    }
                    else
                    {
                        call.DropFrame();
                    }

                    call.OnLost(error);
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
            actions = default;
            lock (_lock)
            {
                foreach (IRemoteCall call in returned ?? [])
                {
                    _retry.Enqueue(call);
                }

                foreach ((WorkerProcess worker, IRemoteCall call, Exception error) in unserializable ?? [])
                {
                    worker.InFlight--;
                    worker.TasksAssigned--;
                    actions.Fail(call, error, release: true);
                }

                DispatchLocked(ref actions);
                RebalanceLocked(ref actions);
                CollectIdleForShutdownLocked(ref actions);
                StartWorkersIfNeededLocked();
            }
        }
    }

    /// <summary>Sends the calls gathered for one worker together; if it is lost, they are returned.</summary>
    private static void SendBatch(WorkerProcess? worker, List<IRemoteCall> batch, ref List<IRemoteCall>? returned)
    {
        if (worker is not null && batch.Count > 0 && !worker.Send(batch))
        {
            (returned ??= []).AddRange(batch);
        }

        batch.Clear();
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
            // A retried call's frame may still sit with the lost worker's writer: drop it, do not pool it.
            call.DropFrame();
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
    /// Writes waiting calls to workers: one to each idle worker (the latency path: any thread, often the
    /// submitter, writes it at once), and, when <paramref name="refill"/> names a worker whose reader has
    /// just taken its answers, as many as its window holds (written together, one system call). A busy
    /// worker is topped up only by its own reader, in batches, so a stream of submissions costs no
    /// write per call. A call written to a worker is Running for the user (CPython: moved to the call
    /// queue) and can no longer be canceled; calls not written stay Pending and cancelable.
    /// </summary>
    private void DispatchLocked(ref Actions actions, WorkerProcess? refill = null)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if (_broken is not null)
        {
            return;
        }

        // While a worker is still starting, none is topped up beyond one call: a worker that is up
        // first must not take the calls the others are starting for (they would only be revoked).
        bool topUp = refill is not null && !AnyStartingLocked();
        foreach (WorkerProcess worker in _workers)
        {
            if (_pending.Count == 0 && _retry.Count == 0)
            {
                return;
            }

            int room = !AcceptsCallsLocked(worker) ? 0
                : topUp && worker == refill ? ProcessPoolConstants.InFlightPerWorker - worker.InFlight
                : worker.InFlight == 0 ? 1
                : 0;
            while (room-- > 0 && AcceptsCallsLocked(worker) && TakeNextLocked(allowLarge: worker.InFlight == 0) is { } call)
            {
                worker.InFlight++;
                worker.TasksAssigned++;
                actions.Send(worker, call);
            }
        }
    }

    /// <summary>
    /// When workers are idle and nothing waits in the queue, revokes the last possibly-unstarted call of
    /// the most loaded worker, one per idle worker at a time: the idle worker gets it once the busy one
    /// confirms it had not started it. If it had, its answer settles the revoke and nothing moves.
    /// </summary>
    private void RebalanceLocked(ref Actions actions)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if (_broken is not null || _pending.Count > 0 || _retry.Count > 0)
        {
            return;
        }

        // Revokes sent and not yet settled (by Revoked or by the call's answer), over all workers.
        int idle = 0;
        int revokesPending = 0;
        foreach (WorkerProcess worker in _workers)
        {
            revokesPending += worker.RevokesPending;
            if (AcceptsCallsLocked(worker) && worker.InFlight == 0)
            {
                idle++;
            }
        }

        while (idle > revokesPending)
        {
            // The call a worker runs is never revoked; those behind it may not have started.
            WorkerProcess? donor = null;
            foreach (WorkerProcess worker in _workers)
            {
                if (!worker.IsLost && Movable(worker) > 0 && (donor is null || Movable(worker) > Movable(donor)))
                {
                    donor = worker;
                }
            }

            if (donor is null || donor.MarkLastForRevoke() is not { } callId)
            {
                return;
            }

            donor.RevokesPending++;
            revokesPending++;
            RevokesSent++;
            actions.Revoke(donor, callId);
        }

        static int Movable(WorkerProcess worker) => worker.InFlight - 1 - worker.RevokesPending;
    }

    private void SettleRevokeLocked(WorkerProcess worker)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if (worker.RevokesPending > 0)
        {
            worker.RevokesPending--;
        }
    }

    private bool AnyStartingLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        foreach (WorkerProcess worker in _workers)
        {
            if (!worker.IsReady && !worker.IsLost)
            {
                return true;
            }
        }

        return false;
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

    /// <summary>
    /// Takes the next call to write: a returned one first, else a pending one that is not canceled (it
    /// becomes Running). A large call is taken only for a worker with nothing in flight
    /// (<see cref="ProcessPoolConstants.PipelinedFrameLimit"/>); it then stays first in line.
    /// </summary>
    private IRemoteCall? TakeNextLocked(bool allowLarge)
    {
        if (_retry.TryPeek(out IRemoteCall? retry))
        {
            return allowLarge || !retry.IsLarge ? _retry.Dequeue() : null;
        }

        while (_pending.TryPeek(out IRemoteCall? call))
        {
            if (!call.Future.IsCanceled && !allowLarge && call.IsLarge)
            {
                return null;
            }

            _ = _pending.Dequeue();

            // Written to a worker = Running (CPython: moved to the call queue); a canceled call is dropped.
            if (call.Future.TrySetRunning())
            {
                return call;
            }

            call.ReleaseFrame();
        }

        return null;
    }

    /// <summary>
    /// Starts workers while calls wait and the pool has room: workers start on demand, up to MaxWorkers.
    /// A call written behind a running one counts as waiting: no worker was idle for it.
    /// </summary>
    private void StartWorkersIfNeededLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Requires the lock.");
        if (_broken is not null || _workers.Count >= _maxWorkers)
        {
            return;
        }

        int starting = 0;
        int waiting = _pending.Count + _retry.Count;
        foreach (WorkerProcess worker in _workers)
        {
            if (!worker.IsReady)
            {
                starting++;
            }
            else if (!worker.IsLost && worker.InFlight > 1)
            {
                waiting += worker.InFlight - 1;
            }
        }

        // A worker that is still starting will take calls too; start another only for calls beyond
        // what the starting ones will take at first, so that one quick Submit starts one process.
        while (_broken is null && _workers.Count < _maxWorkers && waiting > starting)
        {
            var worker = new WorkerProcess(this, _workersStarted++);
            _workers.Add(worker);
            starting++;

            // Process.Start under this lock: it is what serializes pool growth; starts are rare.
            worker.Start(_launcher, _startTimeout);
        }
    }

    /// <summary>Marks idle workers for exit when nothing is left for them: shutdown with an empty queue, or recycling.</summary>
    private void CollectIdleForShutdownLocked(ref Actions actions)
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
                actions.Stop(worker);
            }
        }
    }

    /// <summary>What to do once the lock is released; empty (all null) in the common case of nothing to do.</summary>
    private struct Actions
    {
        public List<(WorkerProcess Worker, IRemoteCall Call)>? Sends;
        public List<(WorkerProcess Worker, long CallId)>? Revokes;
        public List<WorkerProcess>? Stops;
        public List<(IRemoteCall Call, Exception Error, bool Release)>? Failures;

        public readonly bool IsEmpty => Sends is null && Revokes is null && Stops is null && Failures is null;

        public void Send(WorkerProcess worker, IRemoteCall call) => (Sends ??= []).Add((worker, call));

        public void Revoke(WorkerProcess worker, long callId) => (Revokes ??= []).Add((worker, callId));

        public void Stop(WorkerProcess worker) => (Stops ??= []).Add(worker);

        public void Fail(IRemoteCall call, Exception error, bool release) => (Failures ??= []).Add((call, error, release));
    }
}
