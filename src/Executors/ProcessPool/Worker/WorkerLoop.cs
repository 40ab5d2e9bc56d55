using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Worker;

/// <summary>
/// The worker's loop: read frames, run tasks one at a time in the order received, write each answer
/// as soon as its task ends, and give back (<c>Revoked</c>) a task the parent revokes before it starts
/// (docs/design/0005).
/// </summary>
/// <remarks>
/// <para>
/// Two threads share the work, and either may read or run: the one that reads a task while none runs
/// runs it itself (no hand-off on the latency path), and while a task runs the other thread parks.
/// If the task is still running after <see cref="ProcessPoolConstants.WorkerReadDelay"/>, the parked
/// thread starts reading: tasks written behind the running one go into a local FIFO, where a
/// <c>Revoke</c> can still take them back, and end of input (the parent died) is seen at once.
/// </para>
/// <para>
/// Two rules make the parent's crash accounting exact (WorkerProcess.OnLost): an answer is flushed
/// before the next task is taken from the FIFO, and a <c>Revoked</c> frame is flushed before the lock
/// that removed its task is released. Whatever the parent has read when the worker dies therefore
/// tells it which of its calls may have started: the first one neither answered nor revoked, and no
/// other.
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The loop lives as long as the worker process; its pooled buffers go back when the process exits.")]
internal sealed class WorkerLoop
{
    /// <summary>After this many parked intervals with no task started, a parked thread waits until it is woken.</summary>
    private const int DeepParkAfterIdleWaits = 50;

    private readonly FrameReader _reader;
    private readonly WorkerPlanCache _plans;
    private readonly Action<int>? _exitNow;

    /// <summary>
    /// E4 of the GIL model: the worker process's own emulated lock, held by whichever thread runs a task
    /// (initializer included) for the task's duration; reading the pipe and parking happen without it.
    /// </summary>
    private readonly GlobalInterpreterLock? _gil;

    /// <summary>The monitor that guards the fields below it (a <see cref="Monitor"/>, not a <see cref="Lock"/>: parked threads wait on it).</summary>
    private readonly object _gate = new();

    /// <summary>
    /// Frames read (tasks, an initializer) and not started yet, in order; guarded by <see cref="_gate"/>.
    /// Created when a frame first arrives while another runs: a worker that never has one queued
    /// (the latency path) never compiles the list's code.
    /// </summary>
    private List<IncomingFrame>? _queue;

    /// <summary>Guards <see cref="_writer"/>; taken after <see cref="_gate"/> when both are needed, never before.</summary>
    private readonly Lock _writeLock = new();

    private readonly FrameWriter _writer;

    /// <summary>The answer being built; used by the thread that runs a task only.</summary>
    private readonly OutgoingFrame _answer = new();

    /// <summary>Reused for each chunk item's result (see <see cref="RunChunk"/>); used by the thread that runs a task only.</summary>
    private readonly System.Buffers.ArrayBufferWriter<byte> _scratch = new(256);

    /// <summary>
    /// The typed chunk runner of each plan a chunk came for (null: the plan needs the reflective
    /// <see cref="RunChunk"/>). Used by the thread that runs a task only; the two loop threads hand the
    /// running role over under <see cref="_gate"/>, which orders their accesses.
    /// </summary>
    private readonly Dictionary<CallablePlan, ChunkRunner?> _chunkRunners = [];

    /// <summary>Whether a thread runs a frame; guarded by <see cref="_gate"/>.</summary>
    private bool _running;

    /// <summary>Whether a thread reads the input (it alone may touch <see cref="_reader"/>); guarded by <see cref="_gate"/>.</summary>
    private bool _reading;

    /// <summary>Frames started so far; guarded by <see cref="_gate"/>.</summary>
    private long _started;

    /// <summary>When the running frame started (<see cref="Environment.TickCount64"/>: cheap, and a millisecond is fine enough here); guarded by <see cref="_gate"/>.</summary>
    private long _runStartedAt;

    /// <summary>Whether a Shutdown was read: finish the FIFO, then exit; guarded by <see cref="_gate"/>.</summary>
    private bool _draining;

    /// <summary>Whether a parked thread waits without a timeout and must be pulsed when a task starts; guarded by <see cref="_gate"/>.</summary>
    private bool _deepParked;

    /// <summary>The exit code once the loop must end; guarded by <see cref="_gate"/>.</summary>
    private int? _exitCode;

    /// <param name="input">The pipe from the parent.</param>
    /// <param name="output">The pipe to the parent.</param>
    /// <param name="plans">The worker's cache of resolved methods.</param>
    /// <param name="exitNow">
    /// Ends the process at once with the given code when the loop must end while a task runs on the
    /// other thread (end of input, corrupt input); <see langword="null"/> (in tests) lets the task finish first.
    /// </param>
    /// <param name="gil">The worker process's emulated lock (<see cref="ProcessPoolExecutorOptions.WorkerGil"/>), or <see langword="null"/>.</param>
    public WorkerLoop(Stream input, Stream output, WorkerPlanCache plans, Action<int>? exitNow = null, GlobalInterpreterLock? gil = null)
    {
        _reader = new FrameReader(input);
        _writer = new FrameWriter(output);
        _plans = plans;
        _exitNow = exitNow;
        _gil = gil;
    }

    private enum Step
    {
        /// <summary>The loop ends.</summary>
        Exit,

        /// <summary>This thread reads the input.</summary>
        Read,

        /// <summary>This thread runs a frame.</summary>
        Run,

        /// <summary>This thread stopped reading; decide again.</summary>
        Again,
    }

    /// <summary>Runs until Shutdown or end of input; the calling thread is one of the loop's two threads.</summary>
    /// <returns>The process exit code.</returns>
    public int Run()
    {
        try
        {
            SendHello();
        }
        catch (IOException)
        {
            return ProcessPoolConstants.OrphanedExitCode;
        }

        var helper = new Thread(() => Loop())
        {
            IsBackground = true,
            Name = "Executors.Worker second loop thread",
        };
        helper.Start();
        return Loop();
    }

    private static object? Invoke(CallablePlan plan, object? target, object?[] arguments, int index, int count)
    {
        try
        {
            return count switch
            {
                0 => plan.Invoker.Invoke(target),
                1 => plan.Invoker.Invoke(target, arguments[index]),
                _ => plan.Invoker.Invoke(target, arguments.AsSpan(index, count)),
            };
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    /// <summary>One thread's share: decide the next step under the gate, do it outside, repeat.</summary>
    private int Loop()
    {
        IncomingFrame frame = default;
        int? exit = null;
        bool ran = false;
        while (true)
        {
            Step step;
            lock (_gate)
            {
                if (ran)
                {
                    // One pass under the gate after a run: end it, then decide what is next.
                    _running = false;
                    ran = false;
                    if (exit is { } code)
                    {
                        EndLocked(code);
                    }
                }

                step = NextStepLocked(ref frame);
                if (step == Step.Exit)
                {
                    return _exitCode!.Value;
                }
            }

            if (step == Step.Read)
            {
                step = ReadAndFile(ref frame);
                if (step != Step.Run)
                {
                    continue;
                }
            }

            exit = RunFrame(frame);
            frame.Dispose();
            frame = default;
            ran = true;
        }
    }

    /// <summary>Decides what this thread does next: run the FIFO's head, read, park, or leave.</summary>
    private Step NextStepLocked(ref IncomingFrame frame)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Requires the gate.");
        int idleWaits = 0;
        long seen = _started;
        while (true)
        {
            if (_exitCode is not null)
            {
                return Step.Exit;
            }

            if (!_running && _queue is { Count: > 0 })
            {
                frame = TakeHeadLocked();
                return Step.Run;
            }

            if (!_running && _draining)
            {
                // Shutdown was read and everything received before it has run.
                EndLocked(0);
                return Step.Exit;
            }

            if (!_reading && !_draining
                && (!_running || Environment.TickCount64 - _runStartedAt >= (long)ProcessPoolConstants.WorkerReadDelay.TotalMilliseconds))
            {
                // Nothing runs and no one reads; or a task has run long enough that what the parent
                // writes behind it (more tasks, a Revoke, end of input) must be read now.
                _reading = true;
                return Step.Read;
            }

            if (idleWaits >= DeepParkAfterIdleWaits)
            {
                _deepParked = true;
                Monitor.Wait(_gate);
                _deepParked = false;
                idleWaits = 0;
            }
            else
            {
                Monitor.Wait(_gate, ProcessPoolConstants.WorkerReadDelay);
                idleWaits = _started == seen && !_running ? idleWaits + 1 : 0;
                seen = _started;
            }
        }
    }

    private IncomingFrame TakeHeadLocked()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Requires the gate.");
        IncomingFrame head = _queue![0];
        _queue.RemoveAt(0);
        return StartLocked(head);
    }

    /// <summary>Marks <paramref name="frame"/> as the one this thread runs now.</summary>
    private IncomingFrame StartLocked(in IncomingFrame frame)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Requires the gate.");
        IncomingFrame head = frame;
        _running = true;
        _started++;
        _runStartedAt = Environment.TickCount64;
        if (_deepParked)
        {
            // The other thread must time this run, to start reading if it lasts.
            Monitor.Pulse(_gate);
        }

        return head;
    }

    /// <summary>Sets the exit code and wakes the other thread; if a task runs there and the exit is not orderly, ends the process now.</summary>
    private void EndLocked(int code)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Requires the gate.");
        _exitCode ??= code;
        Monitor.PulseAll(_gate);
        if (_running && _exitCode.Value != 0 && _exitNow is { } exitNow)
        {
            exitNow(_exitCode.Value);
        }
    }

    /// <summary>Reads and files frames as the reading thread, until it has a task to run or the loop must end.</summary>
    /// <returns>
    /// <see cref="Step.Run"/> to run <paramref name="toRun"/> now, on this thread; <see cref="Step.Exit"/> if the
    /// loop ends; <see cref="Step.Again"/> once this thread stopped reading and must decide again.
    /// </returns>
    private Step ReadAndFile(ref IncomingFrame toRun)
    {
        while (true)
        {
            IncomingFrame frame;
            int? end = null;
            try
            {
                if (!_reader.TryRead(out frame))
                {
                    // End of input at a frame boundary: the parent closed the pipe or died.
                    end = ProcessPoolConstants.OrphanedExitCode;
                }
                else if (frame.Header.Kind is not (MessageKind.Task or MessageKind.Initialize or MessageKind.Revoke or MessageKind.Shutdown))
                {
                    MessageKind kind = frame.Header.Kind;
                    frame.Dispose();
                    throw new InvalidDataException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"Corrupt stream: a worker does not accept {kind} frames."));
                }
            }
            catch (InvalidDataException ex)
            {
                Console.Error.WriteLine($"Executors.Worker {Environment.ProcessId}: {ex.Message} Exiting.");
                end = ProcessPoolConstants.CorruptStreamExitCode;
                frame = default;
            }
            catch (IOException)
            {
                end = ProcessPoolConstants.OrphanedExitCode;
                frame = default;
            }

            lock (_gate)
            {
                if (end is { } code)
                {
                    _reading = false;
                    EndLocked(code);
                    return Step.Exit;
                }

                switch (frame.Header.Kind)
                {
                    case MessageKind.Revoke:
                        RevokeLocked(frame.Header.CallId);
                        frame.Dispose();
                        if (_exitCode is not null)
                        {
                            _reading = false;
                            return Step.Exit;
                        }

                        break;
                    case MessageKind.Shutdown:
                        // Finish what was received, then exit (the parent sends it to an idle worker).
                        _reading = false;
                        _draining = true;
                        frame.Dispose();
                        Monitor.PulseAll(_gate);
                        return Step.Again;
                    default:
                        if (!_running && _queue is not { Count: > 0 })
                        {
                            // Nothing runs and nothing waits: this thread runs the frame itself, with
                            // no hand-off, and stops reading.
                            _reading = false;
                            toRun = StartLocked(frame);
                            return Step.Run;
                        }

                        (_queue ??= []).Add(frame);
                        if (!_running)
                        {
                            _reading = false;
                            toRun = TakeHeadLocked();
                            return Step.Run;
                        }

                        // A task runs on the other thread: keep reading, so that a Revoke is seen in time.
                        break;
                }
            }
        }
    }

    /// <summary>Takes back a task that has not started: it leaves the FIFO and the parent gets <c>Revoked</c>.</summary>
    private void RevokeLocked(long callId)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Requires the gate.");
        int index = _queue?.FindIndex(f => f.Header.CallId == callId && f.Header.Kind == MessageKind.Task) ?? -1;
        if (index < 0)
        {
            // Started (or answered) already: its answer is, or will be, the reply.
            return;
        }

        IncomingFrame revoked = _queue![index];
        _queue.RemoveAt(index);
        revoked.Dispose();

        // Flushed before the gate is released: no later task can start before the parent can know.
        Span<byte> header = stackalloc byte[FrameHeader.Size];
        new FrameHeader(MessageKind.Revoked, FrameFlags.None, 0, callId).Write(header);
        try
        {
            lock (_writeLock)
            {
                _writer.Write(header);
                _writer.Flush();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            EndLocked(ProcessPoolConstants.OrphanedExitCode);
        }
    }

    /// <summary>Runs a Task or Initialize frame and writes its answer (flushed before the next task can start).</summary>
    /// <returns>An exit code if the loop must end (the initializer failed, the parent is gone); otherwise null.</returns>
    private int? RunFrame(in IncomingFrame frame)
    {
        using GilHold gil = _gil?.Acquire() ?? default;
        try
        {
            if (frame.Header.Kind == MessageKind.Initialize)
            {
                bool initialized = RunInitializer(frame);
                FlushAnswers();
                return initialized ? null : ProcessPoolConstants.InitializerFailedExitCode;
            }

            RunTask(frame);
            FlushAnswers();
            return null;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The result pipe broke: the parent is gone.
            return ProcessPoolConstants.OrphanedExitCode;
        }
    }

    private void FlushAnswers()
    {
        lock (_writeLock)
        {
            _writer.Flush();
        }
    }

    private void SendHello()
    {
        _answer.Reset();
        var writer = new MessagePackWriter(_answer);
        writer.WriteArrayHeader(2);
        writer.Write(ProcessPoolConstants.ProtocolVersion);
        writer.Write(Environment.ProcessId);
        writer.Flush();
        Send(MessageKind.Hello, FrameFlags.None, callId: 0);
        FlushAnswers();
    }

    private bool RunInitializer(IncomingFrame frame)
    {
        try
        {
            (CallablePlan plan, object? target, object?[] arguments) = TaskEnvelope.ReadCall(frame.Payload, _plans);
            Invoke(plan, target, arguments, 0, arguments.Length);
        }
        catch (Exception ex)
        {
            WriteError(MessageKind.InitializeFailed, frame.Header.CallId, ex);
            return false;
        }

        _answer.Reset();
        Send(MessageKind.Initialized, FrameFlags.None, frame.Header.CallId);
        return true;
    }

    private void RunTask(IncomingFrame frame)
    {
        long callId = frame.Header.CallId;
        CallablePlan plan;
        object? target;
        object?[] arguments;
        try
        {
            var reader = new MessagePackReader(frame.Payload);
            (plan, target, int count) = TaskEnvelope.ReadHead(ref reader, _plans);
            if ((frame.Header.Flags & FrameFlags.Chunk) != 0 && ChunkRunnerFor(plan) is { } runner)
            {
                // Reads the items (a failure lands in the catch below), then runs each on its own.
                runner.Run(ref reader, count, target, _answer, _scratch);
                Send(MessageKind.Result, FrameFlags.Chunk, callId);
                return;
            }

            arguments = TaskEnvelope.ReadArguments(ref reader, plan, count);
        }
        catch (Exception ex)
        {
            // A well-formed frame whose call cannot be rebuilt here fails that call, not the worker.
            WriteError(MessageKind.Error, callId, ex);
            return;
        }

        if ((frame.Header.Flags & FrameFlags.Chunk) != 0)
        {
            RunChunk(callId, plan, target, arguments);
            return;
        }

        object? result;
        try
        {
            result = Invoke(plan, target, arguments, 0, arguments.Length);
        }
        catch (Exception ex)
        {
            WriteError(MessageKind.Error, callId, ex);
            return;
        }

        try
        {
            _answer.Reset();
            var writer = new MessagePackWriter(_answer);
            ResultEnvelope.WriteValue(ref writer, plan.ReturnType, result);
            writer.Flush();
            Send(MessageKind.Result, FrameFlags.None, callId);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or NotSupportedException or InvalidOperationException)
        {
            WriteError(MessageKind.Error, callId, new NotSupportedException(
                $"The result of '{plan.Method.Name}', a '{result?.GetType() ?? plan.ReturnType}', cannot be serialized back to the parent: {ex.Message}",
                ex));
        }
    }

    private ChunkRunner? ChunkRunnerFor(CallablePlan plan)
    {
        if (!_chunkRunners.TryGetValue(plan, out ChunkRunner? runner))
        {
            runner = ChunkRunner.For(plan);
            _chunkRunners.Add(plan, runner);
        }

        return runner;
    }

    // Optimized at once: its loop runs per Map item, and a fresh worker would run it unoptimized for most
    // of a short Map. Only chunks use it, so a worker that never gets one never compiles it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunChunk(long callId, CallablePlan plan, object? target, object?[] items)
    {
        _answer.Reset();
        var writer = new MessagePackWriter(_answer);
        writer.WriteArrayHeader(items.Length);
        _scratch.ResetWrittenCount();
        for (int i = 0; i < items.Length; i++)
        {
            writer.WriteArrayHeader(2);
            object? result;
            try
            {
                result = Invoke(plan, target, items, i, 1);
            }
            catch (Exception ex)
            {
                writer.Write(1);
                ErrorEnvelope.Write(ref writer, ex);
                continue;
            }

            // Serialize to a scratch buffer first: a value that fails halfway must not corrupt the chunk.
            _scratch.ResetWrittenCount();
            var scratchWriter = new MessagePackWriter(_scratch);
            try
            {
                ResultEnvelope.WriteValue(ref scratchWriter, plan.ReturnType, result);
                scratchWriter.Flush();
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or NotSupportedException or InvalidOperationException)
            {
                writer.Write(1);
                ErrorEnvelope.Write(ref writer, new NotSupportedException($"The result cannot be serialized back to the parent: {ex.Message}", ex));
                continue;
            }

            writer.Write(0);
            writer.WriteRaw(_scratch.WrittenSpan);
        }

        writer.Flush();
        Send(MessageKind.Result, FrameFlags.Chunk, callId);
    }

    private void WriteError(MessageKind kind, long callId, Exception exception)
    {
        _answer.Reset();
        var writer = new MessagePackWriter(_answer);
        ErrorEnvelope.Write(ref writer, exception);
        writer.Flush();
        Send(kind, FrameFlags.None, callId);
    }

    private void Send(MessageKind kind, FrameFlags flags, long callId)
    {
        _answer.Complete(kind, flags, callId);
        lock (_writeLock)
        {
            _writer.Write(_answer);
        }
    }
}
