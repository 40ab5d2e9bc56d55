using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Worker;

/// <summary>
/// The worker's loop: read a frame, run it, write the answer. Tasks run one at a time, in the order
/// received, on this thread. Each answer is written as soon as its task ends.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The loop lives as long as the worker process; its pooled buffers go back when the process exits.")]
internal sealed class WorkerLoop
{
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer;
    private readonly WorkerPlanCache _plans;
    private readonly OutgoingFrame _answer = new();

    /// <summary>Reused for each chunk item's result (see <see cref="RunChunk"/>).</summary>
    private readonly System.Buffers.ArrayBufferWriter<byte> _scratch = new(256);

    public WorkerLoop(Stream input, Stream output, WorkerPlanCache plans)
    {
        _reader = new FrameReader(input);
        _writer = new FrameWriter(output);
        _plans = plans;
    }

    /// <summary>Runs until Shutdown or end of input.</summary>
    /// <returns>The process exit code.</returns>
    public int Run()
    {
        try
        {
            SendHello();
            while (_reader.TryRead(out IncomingFrame frame))
            {
                using (frame)
                {
                    switch (frame.Header.Kind)
                    {
                        case MessageKind.Task:
                            RunTask(frame);
                            break;
                        case MessageKind.Initialize:
                            if (!RunInitializer(frame))
                            {
                                _writer.Flush();
                                return ProcessPoolConstants.InitializerFailedExitCode;
                            }

                            break;
                        case MessageKind.Shutdown:
                            _writer.Flush();
                            return 0;
                        default:
                            throw new InvalidDataException(string.Create(
                                CultureInfo.InvariantCulture,
                                $"Corrupt stream: a worker does not accept {frame.Header.Kind} frames."));
                    }
                }

                // Answer now: holding an answer back while the next task runs would delay it by that
                // task's whole run time (batching across tasks is the parent's writer's job).
                _writer.Flush();
            }

            // End of input at a frame boundary: the parent closed the pipe or died.
            return ProcessPoolConstants.OrphanedExitCode;
        }
        catch (InvalidDataException ex)
        {
            Console.Error.WriteLine($"Executors.Worker {Environment.ProcessId}: {ex.Message} Exiting.");
            return ProcessPoolConstants.CorruptStreamExitCode;
        }
        catch (IOException)
        {
            // The result pipe broke: the parent is gone.
            return ProcessPoolConstants.OrphanedExitCode;
        }
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

    private void SendHello()
    {
        _answer.Reset();
        var writer = new MessagePackWriter(_answer);
        writer.WriteArrayHeader(2);
        writer.Write(ProcessPoolConstants.ProtocolVersion);
        writer.Write(Environment.ProcessId);
        writer.Flush();
        Send(MessageKind.Hello, FrameFlags.None, callId: 0);
        _writer.Flush();
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
            (plan, target, arguments) = TaskEnvelope.ReadCall(frame.Payload, _plans);
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
        _writer.Write(_answer);
    }
}
