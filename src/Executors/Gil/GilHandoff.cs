namespace Executors;

/// <summary>
/// Which waiting thread a released emulated lock goes to. CPython leaves this choice to the
/// operating system's condition variable; the emulation makes it explicitly, with a seeded random
/// source, so that runs are reproducible.
/// </summary>
public enum GilHandoff
{
    /// <summary>
    /// The default, calibrated against CPython on Linux: with probability
    /// <see cref="GilOptions.OldestWaiterBias"/> the waiter whose current wait began earliest, otherwise
    /// a uniformly random waiter.
    /// </summary>
    CPythonLike = 0,

    /// <summary>A uniformly random waiter.</summary>
    Random = 1,

    /// <summary>The waiter whose current timed wait began earliest.</summary>
    OldestWaiter = 2,

    /// <summary>Arrival order: fair, but not what CPython does (its tail latencies are longer).</summary>
    Fifo = 3,

    /// <summary>
    /// Beazley's 2010 proposal (bpo-7946), never adopted by CPython: a thread whose last release was
    /// voluntary (I/O) is preferred over one that was forced to drop (CPU-bound). For "what if" experiments.
    /// </summary>
    IoPriority = 4,
}
