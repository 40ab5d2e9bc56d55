using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
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

    [ThreadStatic]
    private static bool t_isReader;

    private readonly WorkerSupervisor _owner;
    private readonly ConcurrentQueue<OutgoingFrame> _outbox = new();
    private readonly SemaphoreSlim _outboxSignal = new(0);
    private readonly Lock _callsLock = new();

    /// <summary>Calls written (or about to be written) to this worker, by call id; guarded by <see cref="_callsLock"/>.</summary>
    private readonly Dictionary<long, IRemoteCall> _calls = [];

    private readonly TaskCompletionSource _readerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Held while frames are written to the pipe, by the writer thread or by a thread writing its
    /// own frame inline; guards <see cref="_frameWriter"/>.
    /// </summary>
    private readonly Lock _writeGate = new();

    /// <summary>The pipe writer, created at start; used only under <see cref="_writeGate"/>.</summary>
    private FrameWriter? _frameWriter;

    private Process? _process;
    private AnonymousPipeServerStream? _toWorker;
    private AnonymousPipeServerStream? _fromWorker;

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

    /// <summary>Gets or sets the number of tasks ever assigned, for MaxTasksPerChild; supervisor lock.</summary>
    public int TasksAssigned { get; set; }

    /// <summary>Gets the process, for tests and shutdown; null before <see cref="Start"/>.</summary>
    public Process? Process => _process;

    /// <summary>Starts the process and its reader and writer threads. Failures surface as a lost worker.</summary>
    public void Start(WorkerLauncher launcher, TimeSpan startTimeout)
    {
        try
        {
            (_process, _toWorker, _fromWorker) = launcher.Start();
            ProcessId = _process.Id;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            // Reported from another thread: the supervisor calls Start under its lock.
            string reason = $"could not be started: {ex.Message}";
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Worker.OnLost(state.Reason), (Worker: this, Reason: reason), preferLocal: false);
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

    /// <summary>Writes <paramref name="call"/> to the worker.</summary>
    /// <returns><see langword="false"/> if the worker is already lost: the call was not taken and can go to another worker.</returns>
    public bool Send(IRemoteCall call)
    {
        lock (_callsLock)
        {
            if (_lost)
            {
                return false;
            }

            _calls.Add(call.CallId, call);
        }

        // Outside the calls lock: the post may write to the pipe inline. If the worker is lost in
        // between, OnLost has already failed this call; the frame then just goes back to the pool.
        Post(call.TakeFrame());
        return true;
    }

    /// <summary>Writes a control frame (Initialize, Shutdown).</summary>
    public void SendControl(OutgoingFrame frame) => Post(frame);

    /// <summary>Sends a Shutdown frame: the worker finishes what it has and exits.</summary>
    public void SendShutdown()
    {
        OutgoingFrame frame = OutgoingFramePool.Rent();
        frame.Complete(MessageKind.Shutdown, FrameFlags.None, callId: 0);
        Post(frame);
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

    private void Post(OutgoingFrame frame)
    {
        // Latency path: when nothing is queued and no one is writing, write the frame on this thread
        // (the submitter, or the reader dispatching the next task) instead of waking the writer
        // thread: one thread hop less per round trip. Large frames always go through the writer, so
        // a submitter never blocks on a full pipe. This is also why a reader thread may write here
        // without the classic pipe deadlock (it blocked writing while the worker blocks writing
        // answers it does not read): with one task in flight per worker the pipe to the worker
        // holds at most one small frame. Deeper pipelining must revisit this.
        if (frame.Length <= InlineWriteLimit && _outbox.IsEmpty && _frameWriter is { } frameWriter && _writeGate.TryEnter())
        {
            bool written = false;
            try
            {
                if (_outbox.IsEmpty && !_writerStopping)
                {
                    frameWriter.Write(frame);
                    frameWriter.Flush();
                    written = true;
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The worker is gone; its reader settles the calls.
                written = true;
            }
            finally
            {
                _writeGate.Exit();
            }

            if (written)
            {
                OutgoingFramePool.Return(frame);
                return;
            }
        }

        _outbox.Enqueue(frame);

        // Dekker with the writer (see WriteLoop): it registers as parked, then re-checks the outbox.
        if (Volatile.Read(ref _writerParked) == 1 && Interlocked.CompareExchange(ref _writerParked, 0, 1) == 1)
        {
            _outboxSignal.Release();
        }
    }

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
                        OutgoingFramePool.Return(frame);
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
            while (_outbox.TryDequeue(out OutgoingFrame? frame))
            {
                OutgoingFramePool.Return(frame);
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
                    Dispatch(frame);
                }
            }
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

            OnLost(reason);
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

    private void Dispatch(in IncomingFrame frame)
    {
        switch (frame.Header.Kind)
        {
            case MessageKind.Result:
            case MessageKind.Error:
                IRemoteCall? call;
                lock (_callsLock)
                {
                    _calls.Remove(frame.Header.CallId, out call);
                }

                if (call is null)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"an answer for unknown call {frame.Header.CallId}"));
                }

                // Outside every lock: completing the future runs its callbacks.
                call.OnAnswer(frame);
                _owner.OnCallAnswered(this);
                break;
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
            .ContinueWith(_ => OnLost("exited"), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnLost(string reason)
    {
        List<IRemoteCall> orphans;
        lock (_callsLock)
        {
            if (_lost)
            {
                return;
            }

            _lost = true;
            orphans = [.. _calls.Values];
            _calls.Clear();
        }

        _startTimer?.Dispose();
        StopWriter();

        // Out of dispatch first: a submit woken by the failures below must not be sent here.
        _owner.OnWorkerLosing(this);
        string description = string.Create(
            CultureInfo.InvariantCulture,
            $"The worker process {ProcessId} {(reason == "exited" ? DescribeExit(_process) : reason)}");
        foreach (IRemoteCall call in orphans)
        {
            call.OnLost(new BrokenProcessPoolException($"{description} while running this task."));
        }

        _owner.OnWorkerLost(this, description);
        _fromWorker?.Dispose();
        _readerDone.TrySetResult();

        // The exit is known (DescribeExit waited for it, or it never started): release the handle.
        if (_process is { HasExited: true } exited)
        {
            exited.Dispose();
        }
    }
}
