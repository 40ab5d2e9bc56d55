using Executors.ProcessPool.Protocol;

namespace Executors.ProcessPool.Supervision;

/// <summary>A <c>Submit(Action)</c> to the process pool: the value-less future of the remote call.</summary>
internal sealed class RemoteActionCall : Future, IRemoteCall
{
    private RemoteCallCore _core;

    public RemoteActionCall(OutgoingFrame frame) => _core = new RemoteCallCore(frame, FrameFlags.None);

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
        }
        else
        {
            TrySetFinished();
        }
    }

    public void OnLost(Exception exception) => TrySetException(exception);
}
