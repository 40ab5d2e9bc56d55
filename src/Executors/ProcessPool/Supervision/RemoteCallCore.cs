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
        frame.Complete(MessageKind.Task, flags, CallId);
        _frame = frame;
    }

    public long CallId { get; }

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
