using Executors.Internal;
using Executors.Tests.TestUtilities;

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
}
