using Executors.ProcessPool.Protocol;

namespace Executors.ProcessPool.Supervision;

/// <summary>A task on its way to, or in, a worker process: the future it completes and the frame that carries it.</summary>
internal interface IRemoteCall
{
    /// <summary>Gets the future this call completes.</summary>
    Future Future { get; }

    /// <summary>Gets the call id, unique in this process, that the worker's answer carries.</summary>
    long CallId { get; }

    /// <summary>Hands the task frame over to the writer, which returns it to the pool once written.</summary>
    OutgoingFrame TakeFrame();

    /// <summary>Returns the frame to the pool when the call will never be sent (canceled, or the pool broke).</summary>
    void DiscardFrame();

    /// <summary>Completes the future from the worker's Result or Error frame. Never throws.</summary>
    void OnAnswer(in IncomingFrame frame);

    /// <summary>Fails the future because the call can no longer be answered (worker lost, pool broken).</summary>
    void OnLost(Exception exception);
}
