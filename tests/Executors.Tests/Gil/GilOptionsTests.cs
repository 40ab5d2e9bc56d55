namespace Executors.Tests.GilTests;

public sealed class GilOptionsTests
{
    [Fact]
    public void Defaults_AreCPythons()
    {
        var options = new GilOptions();

        Assert.Equal(TimeSpan.FromMilliseconds(5), options.SwitchInterval);
        Assert.True(options.ForceSwitching);
        Assert.Equal(GilHandoff.CPythonLike, options.Handoff);
        Assert.Equal(0.5, options.OldestWaiterBias);
        Assert.True(options.DirectHandoff);
        Assert.Null(options.Seed);
        Assert.Null(options.LongHoldThreshold);
        Assert.Equal(TimeSpan.FromMicroseconds(50), options.YieldWindow);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void SwitchInterval_ZeroOrNegative_Throws(int ticks)
    {
        var options = new GilOptions();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => options.SwitchInterval = TimeSpan.FromTicks(ticks));
        Assert.Equal("value", ex.ParamName);
        Assert.Contains("switch interval", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void OldestWaiterBias_OutsideZeroToOne_Throws(double bias)
    {
        var options = new GilOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.OldestWaiterBias = bias);
    }

    [Fact]
    public void Handoff_Undefined_Throws()
    {
        var options = new GilOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.Handoff = (GilHandoff)42);
    }

    [Fact]
    public void LongHoldThreshold_Zero_Throws()
    {
        var options = new GilOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.LongHoldThreshold = TimeSpan.Zero);
    }

    [Fact]
    public void YieldWindow_Negative_Throws()
    {
        var options = new GilOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.YieldWindow = TimeSpan.FromTicks(-1));
    }

    [Fact]
    public void Lock_CopiesOptions_LaterChangesHaveNoEffect()
    {
        var options = new GilOptions { SwitchInterval = TimeSpan.FromMilliseconds(2) };
        var gil = new GlobalInterpreterLock(options);

        options.SwitchInterval = TimeSpan.FromMilliseconds(9);

        Assert.Equal(TimeSpan.FromMilliseconds(2), gil.SwitchInterval);
    }
}
