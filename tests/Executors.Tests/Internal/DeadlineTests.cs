using Executors.Internal;
using Executors.Tests.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Executors.Tests.Internal;

public class DeadlineTests
{
    [Fact]
    public void FromTimeout_Null_IsInfinite()
    {
        Deadline deadline = Deadline.FromTimeout(null, "timeout");

        Assert.True(deadline.IsInfinite);
        Assert.False(deadline.HasExpired);
        Assert.Equal(Timeout.Infinite, deadline.RemainingMilliseconds);
        Assert.Equal(Timeout.InfiniteTimeSpan, deadline.Remaining);
    }

    [Fact]
    public void FromTimeout_InfiniteTimeSpan_IsInfinite()
    {
        Deadline deadline = Deadline.FromTimeout(Timeout.InfiniteTimeSpan, "timeout");

        Assert.True(deadline.IsInfinite);
        Assert.False(deadline.HasExpired);
        Assert.Equal(Timeout.Infinite, deadline.RemainingMilliseconds);
        Assert.Equal(Timeout.InfiniteTimeSpan, deadline.Remaining);
    }

    [Fact]
    public void FromTimeout_Zero_IsExpired()
    {
        Deadline deadline = Deadline.FromTimeout(TimeSpan.Zero, "timeout");

        Assert.False(deadline.IsInfinite);
        Assert.True(deadline.HasExpired);
        Assert.Equal(0, deadline.RemainingMilliseconds);
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
    }

    [Fact]
    public void FromTimeout_ShortTimeout_ExpiresOnceItHasPassed()
    {
        Deadline deadline = Deadline.FromTimeout(TimeSpan.FromMilliseconds(1), "timeout");

        SpinWait.SpinUntil(() => deadline.HasExpired, TestTimeouts.Unexpected);

        Assert.True(deadline.HasExpired);
        Assert.Equal(0, deadline.RemainingMilliseconds);
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
    }

    [Fact]
    public void FromTimeout_PositiveTimeout_RemainingIsPositiveAndAtMostTheTimeout()
    {
        TimeSpan timeout = TimeSpan.FromHours(1);

        Deadline deadline = Deadline.FromTimeout(timeout, "timeout");

        Assert.False(deadline.IsInfinite);
        Assert.False(deadline.HasExpired);
        Assert.InRange(deadline.RemainingMilliseconds, 1, (int)timeout.TotalMilliseconds);
        Assert.InRange(deadline.Remaining, TimeSpan.FromTicks(1), timeout);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-20_000L)]
    [InlineData(-10_000_000L)]
    [InlineData(long.MinValue)]
    public void FromTimeout_NegativeNonInfinite_ThrowsArgumentOutOfRangeNamingTheParameter(long ticks)
    {
        TimeSpan timeout = TimeSpan.FromTicks(ticks);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Deadline.FromTimeout(timeout, "myTimeout"));

        Assert.Equal("myTimeout", ex.ParamName);
        Assert.Equal(timeout, ex.ActualValue);
    }

    [Fact]
    public void FromTimeout_MaxValue_DoesNotOverflow()
    {
        Deadline deadline = Deadline.FromTimeout(TimeSpan.MaxValue, "timeout");

        Assert.False(deadline.HasExpired);
        Assert.True(
            deadline.IsInfinite || deadline.RemainingMilliseconds == int.MaxValue - 1,
            $"IsInfinite = {deadline.IsInfinite}, RemainingMilliseconds = {deadline.RemainingMilliseconds}");
    }

    [Fact]
    public void RemainingMilliseconds_TimeoutLongerThanIntMaxValueMilliseconds_ClampsToIntMaxValueMinusOne()
    {
        TimeSpan timeout = TimeSpan.FromDays(100);

        Deadline deadline = Deadline.FromTimeout(timeout, "timeout");

        Assert.False(deadline.IsInfinite);
        Assert.False(deadline.HasExpired);
        Assert.Equal(int.MaxValue - 1, deadline.RemainingMilliseconds);
        Assert.InRange(deadline.Remaining, TimeSpan.FromDays(99), timeout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(int.MaxValue)]
    [InlineData(Timeout.Infinite)]
    public void ValidateTimeout_NonNegativeOrInfinite_DoesNotThrow(int milliseconds)
    {
        Exception? ex = Record.Exception(() => Deadline.ValidateTimeout(TimeSpan.FromMilliseconds(milliseconds), "timeout"));

        Assert.Null(ex);
    }

    [Fact]
    public void ValidateTimeout_NegativeNonInfinite_ThrowsArgumentOutOfRangeNamingTheParameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Deadline.ValidateTimeout(TimeSpan.FromMilliseconds(-5), "wait"));

        Assert.Equal("wait", ex.ParamName);
    }

    [Fact]
    public void FromTimeoutWithTimeProvider_NullOrSystem_IsTheStopwatchDeadline()
    {
        Deadline fromNull = Deadline.FromTimeout(TimeSpan.FromHours(1), timeProvider: null, "timeout");
        Deadline fromSystem = Deadline.FromTimeout(TimeSpan.FromHours(1), TimeProvider.System, "timeout");

        // A Stopwatch deadline waits its whole remaining time in one go; a clock deadline only a slice.
        Assert.True(fromNull.RemainingMilliseconds > Deadline.ClockPollMilliseconds);
        Assert.True(fromSystem.RemainingMilliseconds > Deadline.ClockPollMilliseconds);
    }

    [Fact]
    public void FromTimeoutWithFakeClock_ExpiresWhenTheClockIsAdvancedPastIt()
    {
        var clock = new FakeTimeProvider();
        Deadline deadline = Deadline.FromTimeout(TimeSpan.FromSeconds(5), clock, "timeout");
        bool expiredBefore = deadline.HasExpired;

        clock.Advance(TimeSpan.FromSeconds(4));
        bool expiredAfterFour = deadline.HasExpired;
        TimeSpan remainingAfterFour = deadline.Remaining;
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(expiredBefore);
        Assert.False(expiredAfterFour);
        Assert.Equal(TimeSpan.FromSeconds(1), remainingAfterFour);
        Assert.True(deadline.HasExpired);
        Assert.Equal(0, deadline.RemainingMilliseconds);
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
    }

    [Fact]
    public void FromTimeoutWithFakeClock_RemainingMillisecondsIsARealTimePollSlice()
    {
        var clock = new FakeTimeProvider();
        Deadline deadline = Deadline.FromTimeout(TimeSpan.FromHours(1), clock, "timeout");

        Assert.Equal(Deadline.ClockPollMilliseconds, deadline.RemainingMilliseconds);
        Assert.Equal(TimeSpan.FromMilliseconds(Deadline.ClockPollMilliseconds), deadline.RemainingClamped);
        Assert.Equal(TimeSpan.FromHours(1), deadline.Remaining);
    }

    [Fact]
    public void FromTimeoutWithFakeClock_RemainingShorterThanTheSlice_IsThatRemainder()
    {
        var clock = new FakeTimeProvider();
        Deadline deadline = Deadline.FromTimeout(TimeSpan.FromMilliseconds(3), clock, "timeout");

        Assert.Equal(3, deadline.RemainingMilliseconds);
    }

    [Fact]
    public void FromTimeoutWithFakeClock_InfiniteOrNull_IsInfinite()
    {
        var clock = new FakeTimeProvider();

        Assert.True(Deadline.FromTimeout(Timeout.InfiniteTimeSpan, clock, "timeout").IsInfinite);
        Assert.True(Deadline.FromTimeout(null, clock, "timeout").IsInfinite);
    }

    [Fact]
    public void FromTimeoutWithFakeClock_NegativeNonInfinite_ThrowsArgumentOutOfRangeNamingTheParameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Deadline.FromTimeout(TimeSpan.FromSeconds(-1), new FakeTimeProvider(), "wait"));

        Assert.Equal("wait", ex.ParamName);
    }
}
