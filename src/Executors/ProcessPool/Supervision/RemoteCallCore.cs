using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Supervision;

/// <summary>The frame bookkeeping and answer decoding shared by every kind of remote call.</summary>
internal struct RemoteCallCore
{
    private static long s_lastCallId;

    private OutgoingFrame? _frame;

    /// <summary>Completes <paramref name="frame"/>'s header with a fresh call id and takes ownership of it.</summary>
    public RemoteCallCore(OutgoingFrame frame, FrameFlags flags)
    {
        CallId = Interlocked.Increment(ref s_lastCallId);
        SetFrame(frame, flags);
    }

    /// <summary>Takes a fresh call id; the frame comes later (<see cref="SetFrame"/>), when the call is about to be sent.</summary>
    public RemoteCallCore()
    {
        CallId = Interlocked.Increment(ref s_lastCallId);
    }

    public long CallId { get; }

    /// <summary>Gets a value indicating whether the call holds its task frame (built and not yet handed to a writer).</summary>
    public readonly bool HasFrame => _frame is not null;

    /// <summary>Completes <paramref name="frame"/>'s header with this call's id and takes ownership of it.</summary>
    public void SetFrame(OutgoingFrame frame, FrameFlags flags)
    {
        frame.Complete(MessageKind.Task, flags, CallId);
        _frame = frame;
    }

    public OutgoingFrame TakeFrame()
    {
        OutgoingFrame frame = _frame ?? throw new InvalidOperationException("The task frame was already taken.");
        _frame = null;
        return frame;
    }

    public void DiscardFrame()
    {
        if (_frame is { } frame)
        {
            _frame = null;
            OutgoingFramePool.Return(frame);
        }
    }

    /// <summary>Decodes an Error frame into the exception the future fails with.</summary>
    public static Exception ReadError(in IncomingFrame frame)
    {
        try
        {
            var reader = new MessagePackReader(frame.Payload);
            return ErrorEnvelope.Read(ref reader);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or InvalidDataException or EndOfStreamException)
        {
            return new RemoteTaskException($"The worker reported a failure that could not be decoded: {ex.Message}", ex);
        }
    }

    /// <summary>Wraps a result that could not be decoded.</summary>
    public static Exception UndecodableResult(Type declaredType, Exception exception) =>
        new RemoteTaskException($"The worker's result could not be read back as '{declaredType}': {exception.Message}", exception);
}
