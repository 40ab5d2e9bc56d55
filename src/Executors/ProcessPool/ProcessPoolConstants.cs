namespace Executors;

/// <summary>
/// The defaults and fixed numbers of <see cref="ProcessPoolExecutor"/>, in one place: the options'
/// documentation, the constants' tests and the Defaults table of <c>docs/process-pool.md</c> point here.
/// </summary>
internal static class ProcessPoolConstants
{
    /// <summary>The wire protocol version; the worker's Hello must carry the same one. 2: Revoke / Revoked frames (pipelining, docs/design/0005).</summary>
    public const int ProtocolVersion = 2;

    /// <summary>0: a worker is never recycled (CPython's <c>max_tasks_per_child=None</c>).</summary>
    public const int DefaultMaxTasksPerChild = 0;

    /// <summary>
    /// Tasks written to one worker at a time (its window): the one it runs and up to three behind it,
    /// so that the pipe round trip is hidden (docs/design/0005). A task behind a long one does not stay
    /// there while another worker is idle: the parent revokes it and sends it to the idle worker.
    /// </summary>
    public const int InFlightPerWorker = 4;

    /// <summary>
    /// A call whose frame is larger than this (64 KiB: a large <c>byte[]</c> argument, say) is written
    /// only to a worker with nothing in flight, never behind another call: moving its bytes takes far
    /// longer than the round trip a window hides, and a window of them would hold megabytes in the
    /// worker's queue.
    /// </summary>
    public const int PipelinedFrameLimit = 64 * 1024;

    /// <summary>Workers that die before their handshake, in a row, before the pool is declared broken (a worker that cannot start never will).</summary>
    public const int MaxConsecutiveStartFailures = 3;

    /// <summary>The worker's file name, beside Executors.dll in the app's folder.</summary>
    public const string WorkerAssemblyFileName = "Executors.Worker.dll";

    /// <summary>Exit code of a worker that read a corrupt or truncated frame.</summary>
    public const int CorruptStreamExitCode = 70;

    /// <summary>Exit code of a worker whose parent went away.</summary>
    public const int OrphanedExitCode = 71;

    /// <summary>Exit code of a worker whose initializer threw.</summary>
    public const int InitializerFailedExitCode = 72;

    /// <summary>Gets the default maximum number of worker processes: one per processor (CPython's <c>os.process_cpu_count()</c>).</summary>
    public static int DefaultMaxWorkers => Environment.ProcessorCount;

    /// <summary>Gets the default time a worker has to start and answer the handshake.</summary>
    public static TimeSpan DefaultWorkerStartTimeout => TimeSpan.FromSeconds(60);

    /// <summary>Gets how often an orphaned worker checks that its parent is still alive.</summary>
    public static TimeSpan ParentWatchInterval => TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Gets how long a task runs in a worker before the worker's second thread starts reading the pipe
    /// (tasks written behind it, a Revoke, end of input). Shorter tasks cost no thread hand-off.
    /// </summary>
    public static TimeSpan WorkerReadDelay => TimeSpan.FromMilliseconds(1);

    /// <summary>Gets how long after a worker's exit the parent waits for its result pipe to drain before failing its calls anyway.</summary>
    public static TimeSpan ExitDrainGrace => TimeSpan.FromSeconds(2);
}
