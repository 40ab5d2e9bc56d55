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

    /// <summary>Gets a value indicating whether the call holds its task frame.</summary>
    public readonly bool HasFrame => _frame is not null;

    /// <summary>Completes <paramref name="frame"/>'s header with this call's id and takes ownership of it.</summary>
    public void SetFrame(OutgoingFrame frame, FrameFlags flags)
    {
        frame.Complete(MessageKind.Task, flags, CallId);
        _frame = frame;
    }

    /// <summary>Gets a value indicating whether the frame is built and larger than <see cref="ProcessPoolConstants.PipelinedFrameLimit"/>.</summary>
    public readonly bool IsLarge => _frame is { } frame && frame.Length > ProcessPoolConstants.PipelinedFrameLimit;

    /// <summary>Gets the task frame, built by the constructor or <see cref="SetFrame"/>.</summary>
    public readonly OutgoingFrame Frame => _frame ?? throw new InvalidOperationException("The call has no task frame.");

    /// <summary>
    /// Returns the frame to the pool: the call is done and no writer can still read the frame (it was
    /// never posted, or the worker answered it, which it can only do once it has read all of it).
    /// </summary>
    public void ReleaseFrame()
    {
        if (_frame is { } frame)
        {
            _frame = null;
            OutgoingFramePool.Return(frame);
        }
    }

    /// <summary>
    /// Forgets the frame without returning it to the pool: it was posted to a worker that is lost, whose
    /// writer thread may still read it. The garbage collector takes it.
    /// </summary>
    public void DropFrame() => _frame = null;

    /// <summary>
    /// Gives the call a copy of its frame, for a retry on another worker after its worker was lost; the
    /// old frame is left to the lost worker's writer (see <see cref="DropFrame"/>).
    /// </summary>
    public void RenewFrame()
    {
        OutgoingFrame old = Frame;
        OutgoingFrame copy = OutgoingFramePool.Rent();
        old.CopyTo(copy);
        _frame = copy;
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
