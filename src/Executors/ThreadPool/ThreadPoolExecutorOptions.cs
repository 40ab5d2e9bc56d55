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
}
