using System.Diagnostics;

namespace Executors.Internal;

/// <summary>
/// A point in time by which a blocking wait must give up, measured on the monotonic
/// <see cref="Stopwatch"/> clock so that wall-clock changes cannot stretch or shrink a timeout.
/// </summary>
/// <remarks>
/// Timeouts follow the BCL convention (habit 13): <see cref="Timeout.InfiniteTimeSpan"/> (or
/// <see langword="null"/> where the API takes <c>TimeSpan?</c>) waits forever; any other negative
/// value is a usage error. Waits longer than <see cref="int.MaxValue"/> milliseconds are split into
/// several shorter waits by the callers, because the BCL primitives take an <see cref="int"/>.
/// </remarks>
internal readonly struct Deadline
{
    /// <summary>The <see cref="Stopwatch"/> timestamp at which the deadline expires; <see cref="long.MaxValue"/> for never.</summary>
    private readonly long _expiresAt;

    private Deadline(long expiresAt) => _expiresAt = expiresAt;

    /// <summary>Gets a deadline that never expires.</summary>
    public static Deadline Infinite => new(long.MaxValue);

    /// <summary>Gets a value indicating whether this deadline never expires.</summary>
    public bool IsInfinite => _expiresAt == long.MaxValue;

    /// <summary>Gets a value indicating whether the deadline has passed.</summary>
    public bool HasExpired => !IsInfinite && Stopwatch.GetTimestamp() >= _expiresAt;

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

            long ticks = _expiresAt - Stopwatch.GetTimestamp();
            if (ticks <= 0)
            {
                return 0;
            }

            // Round up: a wait that returns a little early would report a timeout before it is due.
            double ms = Math.Ceiling(ticks * 1000.0 / Stopwatch.Frequency);
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

            long ticks = _expiresAt - Stopwatch.GetTimestamp();
            return ticks <= 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, ticks);
        }
    }

    /// <summary>
    /// Gets the time left, clamped to what every BCL wait accepts (at most <see cref="int.MaxValue"/>
    /// - 1 milliseconds; <see cref="Timeout.InfiniteTimeSpan"/> when infinite). A wait given this value
    /// must re-check <see cref="HasExpired"/> when it times out, and wait again if it has not.
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
}
