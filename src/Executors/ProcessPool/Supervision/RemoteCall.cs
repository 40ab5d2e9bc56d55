using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Supervision;

/// <summary>A <c>Submit</c> to the process pool: the future of the remote call's result.</summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
internal sealed class RemoteCall<TResult> : Future<TResult>, IRemoteCall
{
    private readonly Type _declaredResultType;
    private RemoteCallCore _core;

    public RemoteCall(OutgoingFrame frame, Type declaredResultType)
    {
        _declaredResultType = declaredResultType;
        _core = new RemoteCallCore(frame, FrameFlags.None);
    }

    public Future Future => this;

    public long CallId => _core.CallId;

    public void PrepareFrame()
    {
        // Built at Submit, on the caller's thread: what cannot be shipped fails there.
    }

    public OutgoingFrame Frame => _core.Frame;

    public bool IsLarge => _core.IsLarge;

    public void ReleaseFrame() => _core.ReleaseFrame();

    public void DropFrame() => _core.DropFrame();

    public void RenewFrame() => _core.RenewFrame();

    public void OnAnswer(in IncomingFrame frame)
    {
        if (frame.Header.Kind == MessageKind.Error)
        {
            TrySetException(RemoteCallCore.ReadError(frame));
            return;
        }

        TResult value;
        try
        {
            var reader = new MessagePackReader(frame.Payload);
            value = ResultEnvelope.ReadValue<TResult>(ref reader, _declaredResultType);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or InvalidCastException or EndOfStreamException)
        {
            TrySetException(RemoteCallCore.UndecodableResult(_declaredResultType, ex));
            return;
        }

        TrySetResult(value);
    }

    public void OnLost(Exception exception) => TrySetException(exception);
}
