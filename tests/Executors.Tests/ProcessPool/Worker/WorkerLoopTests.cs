using System.IO.Pipes;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using Executors.ProcessPool.Worker;
using Executors.Tests.TestUtilities;
using MessagePack;

namespace Executors.Tests.ProcessPool.Worker;

public sealed class WorkerLoopTests
{
    /// <summary>Counts runs of <see cref="CountingInitializer"/>; only <see cref="Run_Initialize_RunsInitializerAndAnswersInitialized"/> uses it.</summary>
    private static int s_initializerRuns;

    [Fact]
    public void Run_OnStart_SendsHelloWithProtocolVersionFirst()
    {
        using var worker = new WorkerHarness();

        using IncomingFrame hello = worker.Receive();

        Assert.Equal(MessageKind.Hello, hello.Header.Kind);
        var reader = new MessagePackReader(hello.Payload);
        Assert.Equal(2, reader.ReadArrayHeader());
        Assert.Equal(ProcessPoolConstants.ProtocolVersion, reader.ReadInt32());
        Assert.Equal(Environment.ProcessId, reader.ReadInt32());
    }

    [Fact]
    public void Run_Task_AnswersWithResult()
    {
        using var worker = WorkerHarness.StartAndReadHello();

        worker.Send(TaskFrame(Square, callId: 5, FrameFlags.None, 7));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Result, answer.Header.Kind);
        Assert.Equal(5, answer.Header.CallId);
        Assert.Equal(FrameFlags.None, answer.Header.Flags);
        var reader = new MessagePackReader(answer.Payload);
        Assert.Equal(49, ResultEnvelope.ReadValue<int>(ref reader, typeof(int)));
    }

    [Fact]
    public void Run_CapturingLambdaTask_AnswersWithResult()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        string prefix = "value:";
        Func<int, string> fn = x => prefix + x;

        worker.Send(TaskFrame(fn, callId: 6, FrameFlags.None, 42));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Result, answer.Header.Kind);
        var reader = new MessagePackReader(answer.Payload);
        Assert.Equal("value:42", ResultEnvelope.ReadValue<string>(ref reader, typeof(string)));
    }

    [Fact]
    public void Run_ActionTask_AnswersWithNilResult()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        Action fn = static () => { };

        worker.Send(TaskFrame(fn, callId: 8, FrameFlags.None));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Result, answer.Header.Kind);
        var reader = new MessagePackReader(answer.Payload);
        Assert.True(reader.TryReadNil());
    }

    [Fact]
    public void Run_ThrowingTask_AnswersWithError()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        Func<int, int> fn = static x => throw new InvalidOperationException("boom " + x);

        worker.Send(TaskFrame(fn, callId: 9, FrameFlags.None, 1));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Error, answer.Header.Kind);
        Assert.Equal(9, answer.Header.CallId);
        Exception error = ReadError(answer);
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal("boom 1", error.Message);
        var remote = Assert.IsType<RemoteTaskException>(error.InnerException);
        Assert.DoesNotContain("TargetInvocationException", remote.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ThrowingTask_KeepsServingLaterTasks()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        Func<int, int> fails = static x => throw new InvalidOperationException("boom");
        worker.Send(TaskFrame(fails, callId: 1, FrameFlags.None, 1));
        worker.Receive().Dispose();

        worker.Send(TaskFrame(Square, callId: 2, FrameFlags.None, 3));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Result, answer.Header.Kind);
        Assert.Equal(2, answer.Header.CallId);
    }

    [Fact]
    public void Run_Chunk_AnswersWithPerItemOutcomes()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        Func<int, int> fn = static x => x == 3 ? throw new ArgumentException("three is not welcome") : x * 10;

        worker.Send(TaskFrame(fn, callId: 11, FrameFlags.Chunk, 1, 2, 3, 4));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Result, answer.Header.Kind);
        Assert.Equal(FrameFlags.Chunk, answer.Header.Flags);
        Assert.Equal(11, answer.Header.CallId);
        var reader = new MessagePackReader(answer.Payload);
        Assert.Equal(4, reader.ReadArrayHeader());
        var values = new List<int>();
        Exception? failure = null;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(2, reader.ReadArrayHeader());
            if (reader.ReadInt32() == 0)
            {
                values.Add(ResultEnvelope.ReadValue<int>(ref reader, typeof(int)));
            }
            else
            {
                Assert.Equal(2, i);
                failure = ErrorEnvelope.Read(ref reader);
            }
        }

        Assert.Equal(new[] { 10, 20, 40 }, values);
        Assert.IsType<ArgumentException>(failure);
        Assert.Contains("three is not welcome", failure.Message, StringComparison.Ordinal);
        Assert.True(reader.End);
    }

    [Fact]
    public void Run_PipelinedTasks_AnswersEachInOrder()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        using var burst = new MemoryStream();
        for (int i = 1; i <= 50; i++)
        {
            burst.Write(TaskFrame(Square, callId: i, FrameFlags.None, i));
        }

        worker.Send(burst.ToArray());
        var results = new List<(long CallId, int Value)>();
        for (int i = 1; i <= 50; i++)
        {
            using IncomingFrame answer = worker.Receive();
            var reader = new MessagePackReader(answer.Payload);
            results.Add((answer.Header.CallId, ResultEnvelope.ReadValue<int>(ref reader, typeof(int))));
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(i => ((long)i, i * i)), results);
    }

    [Fact]
    public void Run_TaskWhoseMethodCannotBeResolved_AnswersWithErrorAndKeepsRunning()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        worker.Send(UnresolvableTaskFrame(callId: 21));

        using (IncomingFrame answer = worker.Receive())
        {
            Assert.Equal(MessageKind.Error, answer.Header.Kind);
            Assert.Equal(21, answer.Header.CallId);
            Exception error = ReadError(answer);
            Assert.Contains("not part of the parent application's dependency graph", error.Message, StringComparison.Ordinal);
        }

        worker.Send(TaskFrame(Square, callId: 22, FrameFlags.None, 2));
        using IncomingFrame next = worker.Receive();

        Assert.Equal(MessageKind.Result, next.Header.Kind);
    }

    [Fact]
    public void Run_ResultThatCannotBeSerialized_AnswersWithNotSupportedError()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        Func<Action> fn = static () => static () => { };

        worker.Send(TaskFrame(fn, callId: 31, FrameFlags.None));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Error, answer.Header.Kind);
        Exception error = ReadError(answer);
        Assert.IsType<NotSupportedException>(error);
        Assert.Contains("cannot be serialized back to the parent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Initialize_RunsInitializerAndAnswersInitialized()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        int before = Volatile.Read(ref s_initializerRuns);
        Action initializer = CountingInitializer;

        worker.Send(Frame(MessageKind.Initialize, callId: 0, FrameFlags.None, Payload(initializer)));
        using IncomingFrame answer = worker.Receive();

        Assert.Equal(MessageKind.Initialized, answer.Header.Kind);
        Assert.Equal(0, answer.Header.PayloadLength);
        Assert.Equal(before + 1, Volatile.Read(ref s_initializerRuns));
        worker.Send(TaskFrame(Square, callId: 1, FrameFlags.None, 5));
        using IncomingFrame result = worker.Receive();
        Assert.Equal(MessageKind.Result, result.Header.Kind);
    }

    [Fact]
    public void Run_ThrowingInitializer_SendsInitializeFailedAndReturnsInitializerFailedExitCode()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        Action initializer = static () => throw new InvalidOperationException("cannot initialize");

        worker.Send(Frame(MessageKind.Initialize, callId: 0, FrameFlags.None, Payload(initializer)));
        using IncomingFrame answer = worker.Receive();
        int exitCode = worker.WaitForExit();

        Assert.Equal(MessageKind.InitializeFailed, answer.Header.Kind);
        Exception error = ReadError(answer);
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal("cannot initialize", error.Message);
        Assert.Equal(ProcessPoolConstants.InitializerFailedExitCode, exitCode);
        Assert.False(worker.TryReceive(out _));
    }

    [Fact]
    public void Run_Shutdown_ReturnsZero()
    {
        using var worker = WorkerHarness.StartAndReadHello();

        worker.Send(Frame(MessageKind.Shutdown, callId: 0, FrameFlags.None, []));
        int exitCode = worker.WaitForExit();

        Assert.Equal(0, exitCode);
        Assert.False(worker.TryReceive(out _));
    }

    [Fact]
    public void Run_TasksThenShutdownInOneWrite_AnswersTheTasksBeforeReturningZero()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        using var burst = new MemoryStream();
        burst.Write(TaskFrame(Square, callId: 1, FrameFlags.None, 4));
        burst.Write(TaskFrame(Square, callId: 2, FrameFlags.None, 5));
        burst.Write(Frame(MessageKind.Shutdown, callId: 0, FrameFlags.None, []));

        worker.Send(burst.ToArray());
        int exitCode = worker.WaitForExit();

        Assert.Equal(0, exitCode);
        using (IncomingFrame first = worker.Receive())
        {
            Assert.Equal(1, first.Header.CallId);
        }

        using (IncomingFrame second = worker.Receive())
        {
            Assert.Equal(2, second.Header.CallId);
        }

        Assert.False(worker.TryReceive(out _));
    }

    [Fact]
    public void Run_CorruptBytes_ReturnsCorruptStreamExitCode()
    {
        using var worker = WorkerHarness.StartAndReadHello();

        worker.Send([.. Enumerable.Range(0, FrameHeader.Size).Select(i => (byte)(0xF0 + i))]);
        int exitCode = worker.WaitForExit();

        Assert.Equal(ProcessPoolConstants.CorruptStreamExitCode, exitCode);
    }

    [Fact]
    public void Run_FrameKindAWorkerDoesNotAccept_ReturnsCorruptStreamExitCode()
    {
        using var worker = WorkerHarness.StartAndReadHello();

        worker.Send(Frame(MessageKind.Result, callId: 1, FrameFlags.None, [0xC0]));
        int exitCode = worker.WaitForExit();

        Assert.Equal(ProcessPoolConstants.CorruptStreamExitCode, exitCode);
    }

    [Fact]
    public void Run_EndOfInputInsideFrame_ReturnsCorruptStreamExitCode()
    {
        using var worker = WorkerHarness.StartAndReadHello();
        byte[] frame = TaskFrame(Square, callId: 1, FrameFlags.None, 3);

        worker.Send(frame[..^1]);
        worker.CloseInput();
        int exitCode = worker.WaitForExit();

        Assert.Equal(ProcessPoolConstants.CorruptStreamExitCode, exitCode);
    }

    [Fact]
    public void Run_EndOfInput_ReturnsOrphanedExitCode()
    {
        using var worker = WorkerHarness.StartAndReadHello();

        worker.CloseInput();
        int exitCode = worker.WaitForExit();

        Assert.Equal(ProcessPoolConstants.OrphanedExitCode, exitCode);
    }

    [Fact]
    public void Run_EndOfInputAfterTask_AnswersTheTaskThenReturnsOrphanedExitCode()
    {
        using var worker = WorkerHarness.StartAndReadHello();

        worker.Send(TaskFrame(Square, callId: 3, FrameFlags.None, 3));
        worker.CloseInput();
        int exitCode = worker.WaitForExit();

        Assert.Equal(ProcessPoolConstants.OrphanedExitCode, exitCode);
        using IncomingFrame answer = worker.Receive();
        Assert.Equal(3, answer.Header.CallId);
    }

    [Fact]
    public void Run_RevokeOfATaskQueuedBehindARunningOne_AnswersRevokedAtOnceAndNeverRunsIt()
    {
        using var gate = new CrossProcessGate();
        using var worker = WorkerHarness.StartAndReadHello();
        Func<int, int> gated = Gated(gate.DirectoryPath);
        worker.Send(TaskFrame(gated, callId: 1, FrameFlags.None, 0));
        Assert.True(gate.WaitUntilEntered(1, TestTimeouts.Unexpected), "Task 1 should be running.");

        worker.Send(TaskFrame(gated, callId: 2, FrameFlags.None, 2));
        worker.Send(Frame(MessageKind.Revoke, callId: 2, FrameFlags.None, []));
        using IncomingFrame revoked = worker.Receive();
        int enteredWhileRunning = gate.EnteredCount;
        gate.Open();
        using IncomingFrame answer = worker.Receive();
        worker.Send(Frame(MessageKind.Shutdown, callId: 0, FrameFlags.None, []));
        int exitCode = worker.WaitForExit();

        Assert.Equal(MessageKind.Revoked, revoked.Header.Kind);
        Assert.Equal(2, revoked.Header.CallId);
        Assert.Equal(1, enteredWhileRunning);
        Assert.Equal(MessageKind.Result, answer.Header.Kind);
        Assert.Equal(1, answer.Header.CallId);
        Assert.Equal(0, exitCode);
        Assert.False(worker.TryReceive(out _));
        Assert.Equal(1, gate.EnteredCount);
    }

    [Fact]
    public void Run_RevokeOfTheRunningTask_IsIgnoredAndTheTaskIsAnswered()
    {
        using var gate = new CrossProcessGate();
        using var worker = WorkerHarness.StartAndReadHello();
        worker.Send(TaskFrame(Gated(gate.DirectoryPath), callId: 1, FrameFlags.None, 0));
        Assert.True(gate.WaitUntilEntered(1, TestTimeouts.Unexpected), "Task 1 should be running.");

        worker.Send(Frame(MessageKind.Revoke, callId: 1, FrameFlags.None, []));
        worker.Send(TaskFrame(Square, callId: 2, FrameFlags.None, 3));
        gate.Open();
        using IncomingFrame first = worker.Receive();
        using IncomingFrame second = worker.Receive();

        Assert.Equal((MessageKind.Result, 1L), (first.Header.Kind, first.Header.CallId));
        Assert.Equal((MessageKind.Result, 2L), (second.Header.Kind, second.Header.CallId));
    }

    [Fact]
    public void Run_TasksWrittenBehindARunningTask_RunAfterItInOrder()
    {
        using var gate = new CrossProcessGate();
        using var worker = WorkerHarness.StartAndReadHello();
        worker.Send(TaskFrame(Gated(gate.DirectoryPath), callId: 1, FrameFlags.None, 0));
        Assert.True(gate.WaitUntilEntered(1, TestTimeouts.Unexpected), "Task 1 should be running.");

        for (int i = 2; i <= 5; i++)
        {
            worker.Send(TaskFrame(Square, callId: i, FrameFlags.None, i));
        }

        gate.Open();
        long[] order = [.. Enumerable.Range(0, 5).Select(_ =>
        {
            using IncomingFrame answer = worker.Receive();
            return answer.Header.CallId;
        })];

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, order);
    }

    [Fact]
    public void Run_EndOfInputWhileATaskRuns_AsksToExitAtOnceWithOrphanedExitCode()
    {
        using var gate = new CrossProcessGate();
        var exitNow = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var worker = WorkerHarness.StartAndReadHello(code => exitNow.TrySetResult(code));
        worker.Send(TaskFrame(Gated(gate.DirectoryPath), callId: 1, FrameFlags.None, 0));
        Assert.True(gate.WaitUntilEntered(1, TestTimeouts.Unexpected), "Task 1 should be running.");

        worker.CloseInput();
        bool askedWhileRunning = exitNow.Task.Wait(TestTimeouts.Unexpected);
        gate.Open();
        int exitCode = worker.WaitForExit();

        Assert.True(askedWhileRunning, "End of input was not seen while the task ran.");
        Assert.Equal(ProcessPoolConstants.OrphanedExitCode, exitNow.Task.Result);
        Assert.Equal(ProcessPoolConstants.OrphanedExitCode, exitCode);
    }

    private static int Square(int x) => x * x;

    /// <summary>A task <c>x =&gt; x</c> that enters the gate, and blocks on it for item 0.</summary>
    private static Func<int, int> Gated(string directory) => x =>
    {
        CrossProcessGate.Enter(directory, block: x == 0);
        return x;
    };

    private static void CountingInitializer() => Interlocked.Increment(ref s_initializerRuns);

    private static Exception ReadError(in IncomingFrame frame)
    {
        var reader = new MessagePackReader(frame.Payload);
        return ErrorEnvelope.Read(ref reader);
    }

    /// <summary>Serializes a call the way <c>ProcessPoolExecutor</c> does; with several arguments, they are a chunk's items.</summary>
    private static byte[] Payload(Delegate fn, params object?[] arguments)
    {
        CallablePlan plan = CallablePlan.ForDelegate(fn, nameof(fn));
        var frame = new OutgoingFrame();
        var writer = new MessagePackWriter(frame);
        TaskEnvelope.WriteCallable(ref writer, plan, fn.Target, arguments.Length, nameof(fn));
        foreach (object? argument in arguments)
        {
            TaskEnvelope.WriteArgument(ref writer, plan.ParameterTypes[0], argument, "arg");
        }

        writer.Flush();
        byte[] payload = frame.Payload.ToArray();
        frame.ReleaseBuffer();
        return payload;
    }

    private static byte[] TaskFrame(Delegate fn, long callId, FrameFlags flags, params object?[] arguments) =>
        Frame(MessageKind.Task, callId, flags, Payload(fn, arguments));

    private static byte[] UnresolvableTaskFrame(long callId)
    {
        var frame = new OutgoingFrame();
        var writer = new MessagePackWriter(frame);
        writer.WriteArrayHeader(5);
        writer.Write(int.MaxValue);
        writer.WriteArrayHeader(5);
        writer.Write("Not.A.Dependency");
        writer.Write(Guid.NewGuid().ToString("N"));
        writer.Write(0x06000001);
        writer.WriteArrayHeader(0);
        writer.WriteArrayHeader(0);
        writer.Write((int)TargetKind.None);
        writer.WriteNil();
        writer.Write(0);
        writer.Flush();
        byte[] payload = frame.Payload.ToArray();
        frame.ReleaseBuffer();
        return Frame(MessageKind.Task, callId, FrameFlags.None, payload);
    }

    private static byte[] Frame(MessageKind kind, long callId, FrameFlags flags, byte[] payload)
    {
        byte[] bytes = new byte[FrameHeader.Size + payload.Length];
        new FrameHeader(kind, flags, payload.Length, callId).Write(bytes);
        payload.CopyTo(bytes, FrameHeader.Size);
        return bytes;
    }

    /// <summary>
    /// A <see cref="WorkerLoop"/> running on its own thread in this process, talking over two anonymous
    /// pipes as it would to a parent. Every wait is bounded; disposing closes the loop's input, which
    /// ends the loop, and releases everything.
    /// </summary>
    private sealed class WorkerHarness : IDisposable
    {
        private readonly AnonymousPipeServerStream _toWorker = new(PipeDirection.Out);
        private readonly AnonymousPipeServerStream _fromWorker = new(PipeDirection.In);
        private readonly AnonymousPipeClientStream _workerInput;
        private readonly AnonymousPipeClientStream _workerOutput;
        private readonly FrameReader _reader;
        private readonly Task<int> _run;
        private bool _inputClosed;

        public WorkerHarness(Action<int>? exitNow = null)
        {
            _workerInput = new AnonymousPipeClientStream(PipeDirection.In, _toWorker.ClientSafePipeHandle);
            _workerOutput = new AnonymousPipeClientStream(PipeDirection.Out, _fromWorker.ClientSafePipeHandle);
            _reader = new FrameReader(_fromWorker);
            var loop = new WorkerLoop(_workerInput, _workerOutput, new WorkerPlanCache(AssemblyGate.ForCurrentProcess()), exitNow);
            _run = Task.Factory.StartNew(
                () =>
                {
                    try
                    {
                        return loop.Run();
                    }
                    finally
                    {
                        // As when the worker process exits: the parent sees end of stream.
                        _workerOutput.Dispose();
                        _workerInput.Dispose();
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        public static WorkerHarness StartAndReadHello(Action<int>? exitNow = null)
        {
            var worker = new WorkerHarness(exitNow);
            try
            {
                using IncomingFrame hello = worker.Receive();
                Assert.Equal(MessageKind.Hello, hello.Header.Kind);
                return worker;
            }
            catch
            {
                worker.Dispose();
                throw;
            }
        }

        public void Send(byte[] bytes)
        {
            _toWorker.Write(bytes);
            _toWorker.Flush();
        }

        public void CloseInput()
        {
            if (!_inputClosed)
            {
                _inputClosed = true;
                _toWorker.Dispose();
            }
        }

        public IncomingFrame Receive()
        {
            Assert.True(TryReceive(out IncomingFrame frame), "The worker closed its output instead of answering.");
            return frame;
        }

        public bool TryReceive(out IncomingFrame frame)
        {
            Task<(bool Read, IncomingFrame Frame)> read = Task.Factory.StartNew(
                () => (_reader.TryRead(out IncomingFrame f), f),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            Assert.True(read.Wait(TestTimeouts.Unexpected), "The worker did not answer in time.");
            frame = read.Result.Frame;
            return read.Result.Read;
        }

        public int WaitForExit()
        {
            Assert.True(_run.Wait(TestTimeouts.Unexpected), "The worker loop did not return in time.");
            return _run.Result;
        }

        public void Dispose()
        {
            CloseInput();
            bool exited = _run.Wait(TestTimeouts.Unexpected);
            _reader.Dispose();
            _fromWorker.Dispose();
            Assert.True(exited, "The worker loop did not end after its input closed.");
        }
    }
}
