namespace Executors;

/// <summary>How an executor's worker threads use the emulated global interpreter lock.</summary>
/// <remarks>
/// The emulation models CPython's GIL (see <c>docs/gil.md</c>): it is opt-in, and with
/// <see cref="Disabled"/> the executors contain no lock calls at all.
/// </remarks>
public enum GilMode
{
    /// <summary>No lock: worker threads run in parallel, as in free-threaded CPython (3.13t, 3.14t). <see cref="Gil"/> helpers are no-ops.</summary>
    Disabled = 0,

    /// <summary>
    /// One lock for all the executor's workers (one interpreter), CPython's default build: only one
    /// worker runs "interpreted" code at a time, and they take turns every switch interval.
    /// </summary>
    Emulated = 1,

    /// <summary>
    /// Each worker thread owns its own lock (one interpreter per worker, PEP 684), as CPython 3.14's
    /// <c>InterpreterPoolExecutor</c>: workers run in parallel, and threads a task attaches to its
    /// worker's lock take turns with it.
    /// </summary>
    PerWorker = 2,
}
