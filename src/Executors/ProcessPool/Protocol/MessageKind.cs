namespace Executors.ProcessPool.Protocol;

/// <summary>What a frame carries. The values are part of the wire protocol: never renumber them.</summary>
internal enum MessageKind : byte
{
    /// <summary>Worker → parent, first frame: protocol version and process id.</summary>
    Hello = 1,

    /// <summary>Parent → worker: the initializer to run before any task.</summary>
    Initialize = 2,

    /// <summary>Worker → parent: the initializer finished (empty payload).</summary>
    Initialized = 3,

    /// <summary>Worker → parent: the initializer threw; the payload is the error. The worker exits after sending it.</summary>
    InitializeFailed = 4,

    /// <summary>Parent → worker: a task (or, with <see cref="FrameFlags.Chunk"/>, a chunk of Map items).</summary>
    Task = 5,

    /// <summary>Worker → parent: the result of a task.</summary>
    Result = 6,

    /// <summary>Worker → parent: the exception a task threw.</summary>
    Error = 7,

    /// <summary>Parent → worker: finish the tasks already received, then exit.</summary>
    Shutdown = 8,

    /// <summary>
    /// Parent → worker: give back the task with this call id if it has not started (protocol 2). The
    /// worker answers <see cref="Revoked"/>, or, if the task already started, nothing more than its
    /// normal answer.
    /// </summary>
    Revoke = 9,

    /// <summary>Worker → parent: the task with this call id was taken back before it started; it never runs here (protocol 2).</summary>
    Revoked = 10,
}
