using Executors.Internal;

namespace Executors;

/// <summary>Options of an emulated <see cref="GlobalInterpreterLock"/>, with CPython's defaults.</summary>
/// <remarks>
/// Each setter validates its value, so a bad value fails on the line that sets it. A lock (or an
/// executor) copies the options when it is constructed: later changes to this object have no effect
/// on it. This class is not thread-safe.
/// </remarks>
public sealed class GilOptions
{
    private TimeSpan _switchInterval = GilConstants.DefaultSwitchInterval;
    private double _oldestWaiterBias = GilConstants.DefaultOldestWaiterBias;
    private TimeSpan? _longHoldThreshold;
    private TimeSpan _yieldWindow = GilConstants.DefaultYieldWindow;
    private GilHandoff _handoff = GilHandoff.CPythonLike;

    /// <summary>
    /// Gets or sets the switch interval (<c>sys.setswitchinterval</c>): how long a waiting thread lets
    /// the holder run before it asks it to drop the lock. It is a waiter's patience, not a time slice.
    /// </summary>
    /// <value>The default is 5 ms, CPython's default.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (CPython raises <c>ValueError</c>).</exception>
    public TimeSpan SwitchInterval
    {
        get => _switchInterval;
        set
        {
            ThrowHelper.ThrowIfSwitchIntervalOutOfRange(value, nameof(value));
            _switchInterval = value;
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether a thread that was asked to drop the lock waits until
    /// another thread has taken it (CPython's <c>FORCE_SWITCHING</c>, always compiled in).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ForceSwitching { get; set; } = true;

    /// <summary>Gets or sets which waiting thread a released lock goes to.</summary>
    /// <value>The default is <see cref="GilHandoff.CPythonLike"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="GilHandoff"/>.</exception>
    public GilHandoff Handoff
    {
        get => _handoff;
        set
        {
            if (!Enum.IsDefined(value))
            {
                ThrowHelper.ThrowUndefinedGilHandoff(value, nameof(value));
            }

            _handoff = value;
        }
    }

    /// <summary>Gets or sets the probability that <see cref="GilHandoff.CPythonLike"/> picks the oldest waiter rather than a random one.</summary>
    /// <value>The default is 0.5, calibrated on Linux against CPython 3.11.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 0 and 1.</exception>
    public double OldestWaiterBias
    {
        get => _oldestWaiterBias;
        set
        {
            if (!(value >= 0 && value <= 1))
            {
                ThrowHelper.ThrowOldestWaiterBiasOutOfRange(value, nameof(value));
            }

            _oldestWaiterBias = value;
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether a released lock is reserved for the waiter chosen to get
    /// it, so that neither the releasing thread nor a newcomer can take it first (multicore CPython,
    /// where the woken waiter wins). <see langword="false"/> allows barging, closer to a single core.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool DirectHandoff { get; set; } = true;

    /// <summary>Gets or sets the seed of the handoff choices, so a run can be reproduced.</summary>
    /// <value>The default is <see langword="null"/>: a random seed.</value>
    public int? Seed { get; set; }

    /// <summary>
    /// Gets or sets how long the lock may be held while another thread waits before the hold counts in
    /// <see cref="GilStatistics.LongHolds"/>: the sign of code that neither checkpoints nor releases
    /// (a C call that keeps the GIL).
    /// </summary>
    /// <value>The default is <see langword="null"/>, which means ten switch intervals.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? LongHoldThreshold
    {
        get => _longHoldThreshold;
        set
        {
            if (value is { } threshold && threshold <= TimeSpan.Zero)
            {
                ThrowHelper.ThrowLongHoldThresholdOutOfRange(threshold, nameof(value));
            }

            _longHoldThreshold = value;
        }
    }

    /// <summary>
    /// Gets or sets the minimum time <see cref="GlobalInterpreterLock.Yield"/> keeps the lock released, standing
    /// for the system call of <c>time.sleep(0)</c>.
    /// </summary>
    /// <value>The default is 50 µs.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan YieldWindow
    {
        get => _yieldWindow;
        set
        {
            if (value < TimeSpan.Zero)
            {
                ThrowHelper.ThrowYieldWindowOutOfRange(value, nameof(value));
            }

            _yieldWindow = value;
        }
    }

    /// <summary>Returns a copy, so that a lock is unaffected by later changes to these options.</summary>
    internal GilOptions Clone() => (GilOptions)MemberwiseClone();
}
