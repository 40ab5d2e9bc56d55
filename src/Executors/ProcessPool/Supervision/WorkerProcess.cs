using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Executors.Internal;
using Executors.ProcessPool.Protocol;
using MessagePack;

namespace Executors.ProcessPool.Supervision;

/// <summary>
/// One worker process seen from the parent: the process, its two pipes, a writer thread that drains
/// an outbox of frames, a reader thread that routes answers to their calls, and crash detection.
/// </summary>
/// <remarks>
/// The fields at the top (<see cref="InFlight"/> and the others marked so) belong to the
/// <see cref="WorkerSupervisor"/> and are guarded by its lock. The call table is guarded by
/// <see cref="_callsLock"/>, which is never held while the supervisor's lock is taken or a future
/// completes.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Pipes and the process are disposed by the reader thread when the worker is lost; the semaphore owns no OS handle.")]
internal sealed class WorkerProcess
{
    /// <summary>Frames up to this size may be written inline by the posting thread; a pipe buffer (64 KiB) takes them without blocking.</summary>
    private const int InlineWriteLimit = 16 * 1024;

    /// <summary>Room kept in the pipe for control frames (Revoke, Shutdown) besides the calls' frames; see <see cref="CannotBlock"/>.</summary>
    private const int ControlFrameReserve = 1024;

    [ThreadStatic]
    private static bool t_isReader;

    private readonly WorkerSupervisor _owner;
    /// <summary>
    /// Frames waiting for the writer thread; one marked <see cref="OutgoingFrame.ReturnAfterWrite"/> (a
    /// control frame) goes back to the pool once written, a task frame stays with its call. (A queue of
    /// references: a queue of tuples would be one more generic instantiation to compile at start-up.)
    /// </summary>
    private readonly ConcurrentQueue<OutgoingFrame> _outbox = new();
    /// <summary>
    /// Wakes the parked writer thread. Its brief spin before blocking pays off for large frames, which
    /// all go through the writer: the next one often comes within the spin (measured: a non-spinning
    /// event cost a third of the 1 MiB payload throughput).
    /// </summary>
    private readonly SemaphoreSlim _outboxSignal = new(0);
    private readonly Lock _callsLock = new();

    /// <summary>
    /// Calls written (or about to be written) to this worker and not yet answered or given back, in the
    /// order they were written, which is the order the worker runs them in; guarded by <see cref="_callsLock"/>.
    /// At most <see cref="ProcessPoolConstants.InFlightPerWorker"/>, so a list search is cheap.
    /// </summary>
    private readonly List<IRemoteCall> _calls = [];

    /// <summary>Total wire size of the frames of the calls in <see cref="_calls"/>; written under <see cref="_callsLock"/>, read with <see cref="Volatile"/>.</summary>
    private long _callBytes;

    /// <summary>How many bytes the pipe to the worker holds (<see cref="WorkerLauncher.Start"/>).</summary>
    private int _toWorkerCapacity;

    /// <summary>Ids of calls in <see cref="_calls"/> with a Revoke sent and not yet settled (at most a window's worth); guarded by <see cref="_callsLock"/>.</summary>
    private readonly List<long> _revoking = [];

    private readonly TaskCompletionSource _readerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Held while frames are written to the pipe, by the writer thread or by a thread writing its
    /// own frame inline; guards <see cref="_frameWriter"/>.
    /// </summary>
    private readonly Lock _writeGate = new();

    /// <summary>The pipe writer, created at start; used only under <see cref="_writeGate"/>.</summary>
    private FrameWriter? _frameWriter;

    private Process? _process;
    private Stream? _toWorker;
    private Stream? _fromWorker;

    /// <summary>Set once when the worker is lost; guarded by <see cref="_callsLock"/>. After it, sends fail at once.</summary>
    private bool _lost;

    /// <summary>1 while the writer thread is parked (or about to park) on <see cref="_outboxSignal"/>; Interlocked only.</summary>
    private int _writerParked;

    /// <summary>Set when the writer must stop once the outbox is empty.</summary>
    private volatile bool _writerStopping;

    private Timer? _startTimer;

    public WorkerProcess(WorkerSupervisor owner, int index)
    {
        _owner = owner;
        Index = index;
    }

    /// <summary>Gets the worker's number in its pool, for names and messages.</summary>
    public int Index { get; }

    /// <summary>Gets the process id, once started.</summary>
    public int ProcessId { get; private set; }

    /// <summary>Gets or sets a value indicating whether the handshake (and initializer) completed; supervisor lock.</summary>
    public bool IsReady { get; set; }

    /// <summary>Gets or sets a value indicating whether the worker is being lost (it takes no more calls); supervisor lock.</summary>
    public bool IsLost { get; set; }

    /// <summary>Gets or sets a value indicating whether the worker was told to exit; supervisor lock.</summary>
    public bool ShutdownSent { get; set; }

    /// <summary>Gets or sets the number of calls written and not yet answered; supervisor lock.</summary>
    public int InFlight { get; set; }

    /// <summary>Gets or sets the number of tasks assigned and not given back, for MaxTasksPerChild; supervisor lock.</summary>
    public int TasksAssigned { get; set; }

    /// <summary>Gets or sets the number of revokes sent to this worker and not yet settled; supervisor lock.</summary>
    public int RevokesPending { get; set; }

    /// <summary>Gets the process, for tests and shutdown; null before <see cref="Start"/>.</summary>
    public Process? Process => _process;

    /// <summary>Starts the process and its reader and writer threads. Failures surface as a lost worker.</summary>
    public void Start(WorkerLauncher launcher, TimeSpan startTimeout)
    {
        try
        {
            (_process, _toWorker, _fromWorker, _toWorkerCapacity) = launcher.Start();
            ProcessId = _process.Id;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            // Reported from another thread: the supervisor calls Start under its lock.
            string reason = $"could not be started: {ex.Message}";
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Worker.OnLost(state.Reason, exact: true), (Worker: this, Reason: reason), preferLocal: false);
            return;
        }

        _frameWriter = new FrameWriter(_toWorker);
        StartThread(ReadLoop, "reader");
        StartThread(WriteLoop, "writer");
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => OnProcessExited();
        if (startTimeout != Timeout.InfiniteTimeSpan)
        {
            _startTimer = new Timer(
                static state => ((WorkerProcess)state!).OnStartTimeout(),
                this,
                startTimeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Writes <paramref name="calls"/> to the worker, in order, with one write when they fit.</summary>
    /// <param name="calls">The calls, their frames prepared.</param>
    /// <returns><see langword="false"/> if the worker is already lost: no call was taken, they can go to another worker.</returns>
    public bool Send(IReadOnlyList<IRemoteCall> calls)
    {
        // The frames are taken under the calls lock, with the calls: once the lock is released, a loss
        // of this worker (OnLost) may drop a call's frame (Frame would throw) or renew it for a retry
        // elsewhere (this worker must not write the copy, which that retry pools once answered).
        OutgoingFrame single;
        OutgoingFrame[]? frames = null;
        lock (_callsLock)
        {
            if (_lost)
            {
                return false;
            }

            long bytes = _callBytes;
            single = calls[0].Frame;
            if (calls.Count > 1)
            {
                frames = new OutgoingFrame[calls.Count];
            }

            for (int i = 0; i < calls.Count; i++)
            {
                IRemoteCall call = calls[i];
                OutgoingFrame frame = call.Frame;
                if (frames is not null)
                {
                    frames[i] = frame;
                }

                _calls.Add(call);
                bytes += frame.Length;
            }

            Volatile.Write(ref _callBytes, bytes);
        }

        // Outside the calls lock: the post may write to the pipe inline. If the worker is lost in
        // between, OnLost has already settled these calls; the frames taken above are left to this
        // worker's writer (see DropFrame and RenewFrame), never pooled while it may read them.
        if (frames is null)
        {
            Post(single, owned: false);
        }
        else
        {
            Post(frames);
        }

        return true;
    }

    /// <summary>Writes a control frame (Initialize, Shutdown), which goes back to the pool once written.</summary>
    public void SendControl(OutgoingFrame frame) => Post(frame, owned: true);

    /// <summary>Sends a Shutdown frame: the worker finishes what it has and exits.</summary>
    public void SendShutdown()
    {
        OutgoingFrame frame = OutgoingFramePool.Rent();
        frame.Complete(MessageKind.Shutdown, FrameFlags.None, callId: 0);
        Post(frame, owned: true);
    }

    /// <summary>Asks the worker to give back a call it has not started (chosen by <see cref="MarkLastForRevoke"/>).</summary>
    public void SendRevoke(long callId)
    {
        OutgoingFrame frame = OutgoingFramePool.Rent();
        frame.Complete(MessageKind.Revoke, FrameFlags.None, callId);
        Post(frame, owned: true);
    }

    /// <summary>
    /// Picks the last call written to this worker that is not its first (the first may be running) and
    /// not already being revoked, and marks it as being revoked.
    /// </summary>
    /// <returns>Its call id, or null if there is none.</returns>
    public long? MarkLastForRevoke()
    {
        lock (_callsLock)
        {
            for (int i = _calls.Count - 1; i >= 1; i--)
            {
                long id = _calls[i].CallId;
                if (!_revoking.Contains(id))
                {
                    _revoking.Add(id);
                    return id;
                }
            }

            return null;
        }
    }

    /// <summary>Stops the worker with SIGTERM (Windows: terminates it).</summary>
    public void Terminate()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                process.Kill();
            }
            else if (!process.HasExited)
            {
                _ = NativeMethods.Kill(process.Id, NativeMethods.SigTerm);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Kills the worker (SIGKILL).</summary>
    public void Kill()
    {
        try
        {
            _process?.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting.
        }
    }

    private static string DescribeExit(Process? process)
    {
        if (process is null)
        {
            return "exited";
        }

        try
        {
            if (!process.WaitForExit(ProcessPoolConstants.ExitDrainGrace))
            {
                return "closed its pipe but is still running";
            }

            int code = process.ExitCode;
            return code switch
            {
                ProcessPoolConstants.CorruptStreamExitCode => "exited after reading a corrupt frame (exit code 70)",
                ProcessPoolConstants.OrphanedExitCode => "exited because it lost its parent pipe (exit code 71)",
                > 128 and < 160 when !OperatingSystem.IsWindows() =>
                    string.Create(CultureInfo.InvariantCulture, $"was killed by signal {code - 128} (exit code {code})"),
                _ => string.Create(CultureInfo.InvariantCulture, $"exited with code {code}"),
            };
        }
        catch (InvalidOperationException)
        {
            return "exited";
        }
    }

    private void StartThread(ThreadStart body, string role)
    {
        var thread = new Thread(body)
        {
            IsBackground = true,
            Name = string.Create(CultureInfo.InvariantCulture, $"ProcessPoolExecutor worker {Index} {role}"),
        };
        thread.Start();
    }

    private void Post(OutgoingFrame frame, bool owned)
    {
        if (!TryWriteInline(new ReadOnlySpan<OutgoingFrame>(ref frame), frame.Length))
        {
            frame.ReturnAfterWrite = owned;
            _outbox.Enqueue(frame);
            WakeWriter();
        }
        else if (owned)
        {
            OutgoingFramePool.Return(frame);
        }
    }

    /// <summary>Posts task frames (owned by their calls) in order.</summary>
    private void Post(OutgoingFrame[] frames)
    {
        long length = 0;
        foreach (OutgoingFrame frame in frames)
        {
            length += frame.Length;
        }

        if (!TryWriteInline(frames, length))
        {
            foreach (OutgoingFrame frame in frames)
            {
                frame.ReturnAfterWrite = false;
                _outbox.Enqueue(frame);
            }

            WakeWriter();
        }
    }

    /// <summary>
    /// When nothing is queued and no one is writing, writes the frames on this thread (a submitter, or
    /// a reader refilling its worker after answers) with one system call, instead of waking the writer
    /// thread: one thread hop less. Large frames always go through the writer, so a submitter never
    /// blocks long on a full pipe.
    /// </summary>
    /// <returns><see langword="true"/> if the frames were written (or the worker is gone); otherwise the caller queues them.</returns>
    private bool TryWriteInline(ReadOnlySpan<OutgoingFrame> frames, long length)
    {
        if (length > InlineWriteLimit || !_outbox.IsEmpty || _frameWriter is not { } frameWriter || !_writeGate.TryEnter())
        {
            return false;
        }

        try
        {
            // A reader thread must never block on the pipe to the worker: it would stop draining the
            // answers the worker may be blocked writing (the classic pipe deadlock). It writes only
            // when all that can still be in the pipe, these frames included, fits in it.
            if (!_outbox.IsEmpty || _writerStopping || (t_isReader && !CannotBlock(length)))
            {
                return false;
            }

            foreach (OutgoingFrame frame in frames)
            {
                frameWriter.Write(frame);
            }

            frameWriter.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The worker is gone; its reader settles the calls.
        }
        finally
        {
            _writeGate.Exit();
        }

        return true;
    }

    private void WakeWriter()
    {
        // Dekker with the writer (see WriteLoop): it registers as parked, then re-checks the outbox.
        if (Volatile.Read(ref _writerParked) == 1 && Interlocked.CompareExchange(ref _writerParked, 0, 1) == 1)
        {
            _outboxSignal.Release();
        }
    }

    /// <summary>
    /// Tells whether writing <paramref name="length"/> bytes now cannot block: every frame of a call not
    /// yet answered may still sit in the pipe (counted from before it was posted), plus room for
    /// control frames, plus these bytes, fit in the pipe's buffer. Called under the write gate.
    /// </summary>
    private bool CannotBlock(long length) =>
        Volatile.Read(ref _callBytes) + length + ControlFrameReserve <= _toWorkerCapacity;

    private void WriteLoop()
    {
        FrameWriter writer = _frameWriter!;
        try
        {
            while (true)
            {
                lock (_writeGate)
                {
                    while (_outbox.TryDequeue(out OutgoingFrame? frame))
                    {
                        writer.Write(frame);
                        if (frame.ReturnAfterWrite)
                        {
                            OutgoingFramePool.Return(frame);
                        }
                    }

                    writer.Flush();
                }

                if (_writerStopping)
                {
                    return;
                }

                Interlocked.Exchange(ref _writerParked, 1);
                if (!_outbox.IsEmpty || _writerStopping)
                {
                    if (Interlocked.CompareExchange(ref _writerParked, 0, 1) != 1)
                    {
                        // A producer claimed the parked flag and released (or will release) a permit: take it.
                        _outboxSignal.Wait();
                    }

                    continue;
                }

                _outboxSignal.Wait();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The worker's end is gone; the reader sees EOF and settles the calls.
        }
        finally
        {
            // Task frames stay with their calls (which drop them: see DropFrame); control frames go back.
            while (_outbox.TryDequeue(out OutgoingFrame? frame))
            {
                if (frame.ReturnAfterWrite)
                {
                    OutgoingFramePool.Return(frame);
                }
            }

            // Closing our end is what tells a still-running worker to exit (end of its input).
            lock (_writeGate)
            {
                // Inline writers check this under the gate: nothing writes after the dispose.
                _writerStopping = true;
                _toWorker?.Dispose();
                writer.Dispose();
            }
        }
    }

    private void StopWriter()
    {
        _writerStopping = true;
        if (Interlocked.CompareExchange(ref _writerParked, 0, 1) == 1)
        {
            _outboxSignal.Release();
        }
    }

    /// <summary>
    /// Gets a value indicating whether the current thread is a worker's reader thread, where futures
    /// complete and so done-callbacks run; <c>Shutdown(wait: true)</c> must not wait there for the
    /// very worker whose exit this thread has to observe.
    /// </summary>
    public static bool IsCurrentThreadAReader => t_isReader;

    private void ReadLoop()
    {
        t_isReader = true;
        string reason = "exited";
        bool killProcess = false;
        bool cleanEnd = false;
        try
        {
            using var reader = new FrameReader(_fromWorker!);
            if (!reader.TryRead(out IncomingFrame hello))
            {
                reason = "exited before its handshake";
                return;
            }

            using (hello)
            {
                CheckHello(hello);
            }

            _owner.OnHello(this);
            while (reader.TryRead(out IncomingFrame frame))
            {
                using (frame)
                {
                    // While more answers are already buffered, take them all before the window is
                    // topped up: one write refills it after a batch of answers.
                    Dispatch(frame, refill: !reader.HasBufferedFrame);
                }
            }

            // End of stream at a frame boundary: everything the worker wrote has been read.
            cleanEnd = true;
        }
        catch (InvalidDataException ex)
        {
            reason = $"sent a corrupt stream ({ex.Message})";
            killProcess = true;
        }
        catch (IOException ex)
        {
            reason = $"broke its pipe ({ex.Message})";
        }
        catch (ObjectDisposedException)
        {
            reason = "was stopped";
        }
        finally
        {
            if (killProcess)
            {
                Kill();
            }

            OnLost(reason, cleanEnd);
        }
    }

    private static void CheckHello(in IncomingFrame hello)
    {
        if (hello.Header.Kind != MessageKind.Hello)
        {
            throw new InvalidDataException($"expected a Hello frame first, got {hello.Header.Kind}");
        }

        var reader = new MessagePackReader(hello.Payload);
        _ = reader.ReadArrayHeader();
        int version = reader.ReadInt32();
        if (version != ProcessPoolConstants.ProtocolVersion)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"the worker speaks protocol version {version}, this parent speaks {ProcessPoolConstants.ProtocolVersion}; Executors.Worker.dll and Executors.dll come from different versions"));
        }
    }

    private void Dispatch(in IncomingFrame frame, bool refill)
    {
        switch (frame.Header.Kind)
        {
            case MessageKind.Result:
            case MessageKind.Error:
            {
                (IRemoteCall call, bool hadRevoke) = TakeCall(frame.Header.CallId);

                // Outside every lock: completing the future runs its callbacks.
                call.OnAnswer(frame);

                // The worker read the whole frame before it answered: no writer holds it anymore.
                call.ReleaseFrame();
                _owner.OnCallAnswered(this, hadRevoke, refill);
                break;
            }

            case MessageKind.Revoked:
            {
                (IRemoteCall call, _) = TakeCall(frame.Header.CallId);
                _owner.OnRevoked(this, call);
                break;
            }

            case MessageKind.Initialized:
                _startTimer?.Dispose();
                _owner.OnInitialized(this);
                break;
            case MessageKind.InitializeFailed:
                _startTimer?.Dispose();
                _owner.OnInitializerFailed(this, RemoteCallCore.ReadError(frame));
                break;
            default:
                throw new InvalidDataException($"a {frame.Header.Kind} frame, which a worker never sends");
        }
    }

    /// <summary>Removes an answered or revoked call from the table.</summary>
    /// <returns>The call, and whether a revoke of it was pending.</returns>
    private (IRemoteCall Call, bool HadRevoke) TakeCall(long callId)
    {
        lock (_callsLock)
        {
            // Answers come in the order the calls were written, so the first one is almost always it.
            for (int index = 0; index < _calls.Count; index++)
            {
                IRemoteCall call = _calls[index];
                if (call.CallId == callId)
                {
                    _calls.RemoveAt(index);
                    Volatile.Write(ref _callBytes, _callBytes - call.Frame.Length);
                    return (call, _revoking.Count > 0 && _revoking.Remove(callId));
                }
            }
        }

        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"an answer for unknown call {callId}"));
    }

    private void OnStartTimeout()
    {
        if (_owner.IsStartOverdue(this))
        {
            Kill();
        }
    }

    private void OnProcessExited()
    {
        // Normally the reader reaches end of stream after the last answer. If a stray inherited copy of
        // the pipe keeps it open, give the reader a grace period, then settle the calls anyway.
        _ = Task.WhenAny(_readerDone.Task, Task.Delay(ProcessPoolConstants.ExitDrainGrace))
            .ContinueWith(_ => OnLost("exited", exact: false), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Settles the worker's calls once it is gone. With <paramref name="exact"/> (its output ended at a
    /// frame boundary, so everything it wrote was read), only the first call neither answered nor
    /// revoked can have started: it fails with <see cref="BrokenProcessPoolException"/>, and the calls
    /// behind it are handed back to run elsewhere (the worker flushes an answer before it starts the
    /// next task, and a Revoked before a later task can start). Otherwise every call fails.
    /// </summary>
    private void OnLost(string reason, bool exact)
    {
        List<IRemoteCall> orphans;
        lock (_callsLock)
        {
            if (_lost)
            {
                return;
            }

            _lost = true;
            orphans = [.. _calls];
            _calls.Clear();
            Volatile.Write(ref _callBytes, 0);
            _revoking.Clear();
        }

        _startTimer?.Dispose();
        StopWriter();

        // Out of dispatch first: a submit woken by the failures below must not be sent here.
        _owner.OnWorkerLosing(this);
        string description = string.Create(
            CultureInfo.InvariantCulture,
            $"The worker process {ProcessId} {(reason == "exited" ? DescribeExit(_process) : reason)}");
        int mayHaveStarted = exact ? Math.Min(1, orphans.Count) : orphans.Count;
        for (int i = 0; i < mayHaveStarted; i++)
        {
            // Its frame may still be with this worker's writer: drop it, never pool it.
            orphans[i].DropFrame();
            orphans[i].OnLost(new BrokenProcessPoolException($"{description} while running this task."));
        }

        _owner.OnWorkerLost(this, description, orphans[mayHaveStarted..]);
        _fromWorker?.Dispose();
        _readerDone.TrySetResult();

        // The exit is known (DescribeExit waited for it, or it never started): release the handle.
        if (_process is { HasExited: true } exited)
        {
            exited.Dispose();
        }
    }
}
