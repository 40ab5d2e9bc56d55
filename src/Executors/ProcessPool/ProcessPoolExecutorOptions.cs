using Executors.Internal;

namespace Executors;

/// <summary>Options for <see cref="ProcessPoolExecutor"/>.</summary>
/// <remarks>
/// Each setter validates its value, so a bad value fails on the line that sets it. The executor copies
/// the options when it is constructed: later changes to this object have no effect on it. This class
/// is not thread-safe.
/// </remarks>
public sealed class ProcessPoolExecutorOptions
{
    private int? _maxWorkers;
    private int? _maxTasksPerChild;
    private TimeSpan _workerStartTimeout = ProcessPoolConstants.DefaultWorkerStartTimeout;

    /// <summary>Gets or sets the maximum number of worker processes.</summary>
    /// <value>The default is <see langword="null"/>, which means <see cref="Environment.ProcessorCount"/>.</value>
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

    /// <summary>
    /// Gets or sets how many tasks a worker process runs before it is replaced by a fresh one
    /// (CPython's <c>max_tasks_per_child</c>): a remedy for leaks in the code the tasks call.
    /// </summary>
    /// <value>The default is <see langword="null"/>: workers live as long as the pool.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or negative.</exception>
    public int? MaxTasksPerChild
    {
        get => _maxTasksPerChild;
        set
        {
            if (value is { } tasks && tasks <= 0)
            {
                ThrowHelper.ThrowMaxTasksPerChildOutOfRange(tasks, nameof(value));
            }

            _maxTasksPerChild = value;
        }
    }

    /// <summary>
    /// Gets or sets a callable each worker process runs once, before its first task. It must be
    /// shippable like a task (a static method, or a lambda whose captures serialize). If it throws,
    /// the pool becomes broken: pending and later submissions fail with <see cref="BrokenProcessPoolException"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/> (no initializer).</value>
    public Action? Initializer { get; set; }

    /// <summary>Gets or sets how long a worker process has to start and answer the handshake before it is killed.</summary>
    /// <value>The default is 60 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, or negative and not infinite.</exception>
    public TimeSpan WorkerStartTimeout
    {
        get => _workerStartTimeout;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                ThrowHelper.ThrowWorkerStartTimeoutOutOfRange(value, nameof(value));
            }

            _workerStartTimeout = value;
        }
    }

    /// <summary>
    /// Gets or sets the options of an emulated global interpreter lock in each worker process, or
    /// <see langword="null"/> for none. Each worker is then one interpreter with its own lock, as a
    /// CPython worker process is: tasks in different workers run in parallel, and threads a task
    /// starts and attaches (<c>Gil.Current.Acquire()</c>) take turns with it. See <c>docs/gil.md</c>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no lock in the workers.</value>
    public GilOptions? WorkerGil { get; set; }
}
