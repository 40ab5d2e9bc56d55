using Executors.Internal;

namespace Executors;

/// <summary>Options for <see cref="ThreadPoolExecutor"/>.</summary>
/// <remarks>
/// Each setter validates its value, so a bad value fails on the line that sets it. The executor copies
/// the options when it is constructed: later changes to this object have no effect on it. This class
/// is not thread-safe.
/// </remarks>
public sealed class ThreadPoolExecutorOptions
{
    private int? _maxWorkers;
    private TimeSpan _idleTimeout = ThreadPoolConstants.DefaultIdleTimeout;
    private GilMode _gilMode;

    /// <summary>Gets or sets the maximum number of worker threads.</summary>
    /// <value>The default is <see langword="null"/>, which means <c>min(32, Environment.ProcessorCount + 4)</c>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or negative.</exception>
    public int? MaxWorkers
    {
        get => _maxWorkers;
        set
        {
            if (value is { } workers && workers <= 0)
            {
                ThrowHelper.ThrowMaxWorkersOutOfRange(workers, nameof(value));
            }

            _maxWorkers = value;
        }
    }

    /// <summary>Gets or sets the prefix of the worker threads' names; workers are named <c>{prefix}_{n}</c>, n counting from 0.</summary>
    /// <value>The default is <see langword="null"/>, which means <c>ThreadPoolExecutor-{k}</c>, k numbering the executors of the process.</value>
    public string? ThreadNamePrefix { get; set; }

    /// <summary>
    /// Gets or sets a callable each worker thread runs once, before its first task. If it throws, the
    /// executor becomes broken: pending and later submissions fail with <see cref="BrokenThreadPoolException"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/> (no initializer).</value>
    public Action? Initializer { get; set; }

    /// <summary>
    /// Gets or sets how long a worker thread may wait for work before it exits. A later submission
    /// starts a new worker when no idle one is left.
    /// </summary>
    /// <value>The default is <see cref="Timeout.InfiniteTimeSpan"/>: idle workers live until shutdown, as in CPython.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, or negative and not infinite.</exception>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                ThrowHelper.ThrowIdleTimeoutOutOfRange(value, nameof(value));
            }

            _idleTimeout = value;
        }
    }

    /// <summary>
    /// Gets or sets how the workers use the emulated global interpreter lock: not at all (free-threaded),
    /// one lock for all workers (one interpreter, CPython's default), or one lock per worker
    /// (<c>InterpreterPoolExecutor</c>). See <c>docs/gil.md</c>.
    /// </summary>
    /// <value>The default is <see cref="GilMode.Disabled"/>: no lock, and no cost.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="GilMode"/>.</exception>
    public GilMode GilMode
    {
        get => _gilMode;
        set
        {
            if (!Enum.IsDefined(value))
            {
                ThrowHelper.ThrowUndefinedGilMode(value, nameof(value));
            }

            _gilMode = value;
        }
    }

    /// <summary>
    /// Gets or sets an existing lock for the workers to share, with <see cref="GilMode.Emulated"/>:
    /// executors given the same lock are one emulated interpreter, and so are other threads that
    /// <see cref="GlobalInterpreterLock.Acquire()"/> it.
    /// </summary>
    /// <value>The default is <see langword="null"/>: with <see cref="GilMode.Emulated"/> the executor creates its own lock from <see cref="GilOptions"/>.</value>
    public GlobalInterpreterLock? GilLock { get; set; }

    /// <summary>Gets or sets the options of the locks the executor creates (<see cref="GilMode.Emulated"/> without <see cref="GilLock"/>, or <see cref="GilMode.PerWorker"/>).</summary>
    /// <value>The default is <see langword="null"/>: CPython's defaults (5 ms switch interval).</value>
    public GilOptions? GilOptions { get; set; }
}
