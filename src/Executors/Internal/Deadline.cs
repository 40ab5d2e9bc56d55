using System.Diagnostics;

namespace Executors.Internal;

/// <summary>
/// A point in time by which a blocking wait must give up, measured on the monotonic
/// <see cref="Stopwatch"/> clock so that wall-clock changes cannot stretch or shrink a timeout, or on
/// a caller's <see cref="TimeProvider"/> (a test's fake clock) when one is given.
/// </summary>
/// <remarks>
/// Timeouts follow the BCL convention (habit 13): <see cref="Timeout.InfiniteTimeSpan"/> (or
/// <see langword="null"/> where the API takes <c>TimeSpan?</c>) waits forever; any other negative
/// value is a usage error. Waits longer than <see cref="int.MaxValue"/> milliseconds are split into
/// several shorter waits by the callers, because the BCL primitives take an <see cref="int"/>.
/// <para>
/// A deadline on a <see cref="TimeProvider"/> other than <see cref="TimeProvider.System"/> cannot be
/// waited for by the BCL primitives, which count real milliseconds: a fake clock moves only when the
/// test advances it. For such a deadline <see cref="RemainingMilliseconds"/> is a short real-time slice
/// (at most <see cref="ClockPollMilliseconds"/>) after which the caller's existing loop re-reads
/// <see cref="HasExpired"/> on that clock. Every wait loop already does this for long deadlines, so a
/// fake clock needs no change to them (docs/design/0006-testing-executors.md).
/// </para>
/// </remarks>
internal readonly struct Deadline
{
    /// <summary>
    /// How long, in real milliseconds, a wait on a deadline measured by another <see cref="TimeProvider"/>
    /// blocks before it looks at that clock again. Short enough that a test which advances a fake clock
    /// sees the waiter time out promptly; long enough that a parked waiter costs nothing measurable.
    /// </summary>
    public const int ClockPollMilliseconds = 10;

    /// <summary>The timestamp, on <see cref="_clock"/>, at which the deadline expires; <see cref="long.MaxValue"/> for never.</summary>
    private readonly long _expiresAt;

    /// <summary>The clock that measures the deadline; <see langword="null"/> for the <see cref="Stopwatch"/> (also <see cref="TimeProvider.System"/>'s).</summary>
    private readonly TimeProvider? _clock;

    private Deadline(long expiresAt, TimeProvider? clock = null)
    {
        _expiresAt = expiresAt;
        _clock = clock;
    }

    /// <summary>Gets a deadline that never expires.</summary>
    public static Deadline Infinite => new(long.MaxValue);

    /// <summary>Gets a value indicating whether this deadline never expires.</summary>
    public bool IsInfinite => _expiresAt == long.MaxValue;

    /// <summary>Gets a value indicating whether the deadline has passed.</summary>
    public bool HasExpired => !IsInfinite && Now >= _expiresAt;

    /// <summary>
    /// Gets the time left, rounded up to whole milliseconds and clamped to what the BCL waits accept:
    /// <see cref="Timeout.Infinite"/> (-1) for an infinite deadline, 0 once it has passed.
    /// </summary>
    public int RemainingMilliseconds
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.Infinite;
            }

            long ticks = _expiresAt - Now;
            if (ticks <= 0)
            {
                return 0;
            }

            // Round up: a wait that returns a little early would report a timeout before it is due.
            double ms = Math.Ceiling(ticks * 1000.0 / Frequency);
            if (_clock is not null)
            {
                // Another clock: wait a real-time slice, then the caller re-reads that clock.
                return ms >= ClockPollMilliseconds ? ClockPollMilliseconds : (int)ms;
            }

            return ms >= int.MaxValue - 1 ? int.MaxValue - 1 : (int)ms;
        }
    }

    /// <summary>Gets the time left as a <see cref="TimeSpan"/>: <see cref="Timeout.InfiniteTimeSpan"/> or non-negative.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.InfiniteTimeSpan;
            }

            long ticks = _expiresAt - Now;
            if (ticks <= 0)
            {
                return TimeSpan.Zero;
            }

            return _clock is null ? Stopwatch.GetElapsedTime(0, ticks) : _clock.GetElapsedTime(0, ticks);
        }
    }

    /// <summary>
    /// Gets the time left, clamped to what every BCL wait accepts (at most <see cref="int.MaxValue"/>
    /// - 1 milliseconds; <see cref="Timeout.InfiniteTimeSpan"/> when infinite), or the real-time slice
    /// of a deadline on another clock. A wait given this value must re-check <see cref="HasExpired"/>
    /// when it times out, and wait again if it has not.
    /// </summary>
    public TimeSpan RemainingClamped
    {
        get
        {
            int ms = RemainingMilliseconds;
            return ms == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(ms);
        }
    }

    /// <summary>Creates a deadline <paramref name="timeout"/> from now, validating it first.</summary>
    /// <param name="timeout">The timeout; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    public static Deadline FromTimeout(TimeSpan? timeout, string paramName)
    {
        if (timeout is not { } value || value == Timeout.InfiniteTimeSpan)
        {
            return Infinite;
        }

        ValidateTimeout(value, paramName);
        long now = Stopwatch.GetTimestamp();
        double ticks = value.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        return ticks >= long.MaxValue - now ? Infinite : new Deadline(now + (long)ticks);
    }

    /// <summary>
    /// Creates a deadline <paramref name="timeout"/> from now as <paramref name="timeProvider"/> measures
    /// time, validating it first. <see langword="null"/> or <see cref="TimeProvider.System"/> gives the same
    /// deadline as <see cref="FromTimeout(TimeSpan?, string)"/>.
    /// </summary>
    /// <param name="timeout">The timeout; <see langword="null"/> or <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system's.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    public static Deadline FromTimeout(TimeSpan? timeout, TimeProvider? timeProvider, string paramName)
    {
        if (timeProvider is null || timeProvider == TimeProvider.System)
        {
            return FromTimeout(timeout, paramName);
        }

        if (timeout is not { } value || value == Timeout.InfiniteTimeSpan)
        {
            return Infinite;
        }

        ValidateTimeout(value, paramName);
        long now = timeProvider.GetTimestamp();
        double ticks = value.Ticks * (double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond;
        return ticks >= long.MaxValue - now ? Infinite : new Deadline(now + (long)ticks, timeProvider);
    }

    /// <summary>Throws when <paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    /// <param name="timeout">The timeout to check.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    public static void ValidateTimeout(TimeSpan timeout, string paramName)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            ThrowHelper.ThrowTimeoutOutOfRange(timeout, paramName);
        }
    }

    private long Now => _clock is null ? Stopwatch.GetTimestamp() : _clock.GetTimestamp();

    private long Frequency => _clock is null ? Stopwatch.Frequency : _clock.TimestampFrequency;
}
