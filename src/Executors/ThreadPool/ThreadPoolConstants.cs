namespace Executors;

/// <summary>
/// The defaults of <see cref="ThreadPoolExecutor"/>, in one place: the options' documentation, the
/// constants' tests and the Defaults table of <c>docs/thread-pool.md</c> all point here.
/// </summary>
internal static class ThreadPoolConstants
{
    /// <summary>The cap on the default worker count (CPython 3.8+: <c>min(32, cpu_count + 4)</c>).</summary>
    public const int DefaultMaxWorkersCap = 32;

    /// <summary>
    /// Workers added to the processor count for the default: I/O-bound work keeps threads waiting,
    /// so a few more than the cores keeps the CPUs busy (CPython's reasoning, bpo-35279).
    /// </summary>
    public const int DefaultExtraWorkers = 4;

    /// <summary>The start of the default thread name prefix; the executor's sequence number follows (CPython: <c>ThreadPoolExecutor-N</c>).</summary>
    public const string DefaultThreadNamePrefixBase = "ThreadPoolExecutor-";

    /// <summary>Gets the default maximum number of worker threads: <c>min(32, Environment.ProcessorCount + 4)</c>.</summary>
    public static int DefaultMaxWorkers => Math.Min(DefaultMaxWorkersCap, Environment.ProcessorCount + DefaultExtraWorkers);

    /// <summary>Gets the default idle timeout: infinite, as in CPython, whose idle workers live until shutdown.</summary>
    public static TimeSpan DefaultIdleTimeout => Timeout.InfiniteTimeSpan;
}
