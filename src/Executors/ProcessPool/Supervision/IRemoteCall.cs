using Executors.ProcessPool.Protocol;

namespace Executors.ProcessPool.Supervision;

/// <summary>A task on its way to, or in, a worker process: the future it completes and the frame that carries it.</summary>
internal interface IRemoteCall
{
    /// <summary>Gets the future this call completes.</summary>
    Future Future { get; }

    /// <summary>Gets the call id, unique in this process, that the worker's answer carries.</summary>
    long CallId { get; }

    /// <summary>
    /// Builds the task frame if the call has not built it yet (a Map chunk serializes its items when it
    /// is dispatched); called outside every lock by the thread that dispatches the call, before it is sent.
    /// </summary>
    /// <exception cref="ArgumentException">What the call carries cannot be serialized.</exception>
    void PrepareFrame();

    /// <summary>
    /// Gets the task frame (after <see cref="PrepareFrame"/>). The call keeps it until it is done: a
    /// task revoked from one worker, or left unstarted by a worker that died, is sent again as is.
    /// </summary>
    OutgoingFrame Frame { get; }

    /// <summary>Gets a value indicating whether the call's frame is built and larger than <see cref="ProcessPoolConstants.PipelinedFrameLimit"/>.</summary>
    bool IsLarge { get; }

    /// <summary>Returns the frame to the pool once no writer can read it anymore (never posted, or answered).</summary>
    void ReleaseFrame();

    /// <summary>Forgets a frame that a lost worker's writer may still read, without returning it to the pool.</summary>
    void DropFrame();

    /// <summary>Replaces the frame with a copy, before the call is sent again after its worker was lost.</summary>
    void RenewFrame();

    /// <summary>Completes the future from the worker's Result or Error frame. Never throws.</summary>
    void OnAnswer(in IncomingFrame frame);

    /// <summary>Fails the future because the call can no longer be answered (worker lost, pool broken).</summary>
    void OnLost(Exception exception);
}
