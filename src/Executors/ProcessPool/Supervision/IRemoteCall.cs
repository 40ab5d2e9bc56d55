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

    /// <summary>Hands the task frame over to the writer, which returns it to the pool once written.</summary>
    OutgoingFrame TakeFrame();

    /// <summary>Returns the frame to the pool when the call will never be sent (canceled, or the pool broke).</summary>
    void DiscardFrame();

    /// <summary>Completes the future from the worker's Result or Error frame. Never throws.</summary>
    void OnAnswer(in IncomingFrame frame);

    /// <summary>Fails the future because the call can no longer be answered (worker lost, pool broken).</summary>
    void OnLost(Exception exception);
}
