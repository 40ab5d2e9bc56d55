using System.Globalization;
using Executors.Internal;

namespace Executors.Tests.Internal;

public sealed class CultureFreeParseTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("7", 7L)]
    [InlineData("-7", -7L)]
    [InlineData("000123", 123L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void TryParseInt64_Digits_ParsesLikeLongParse(string text, long expected)
    {
        Assert.True(CultureFreeParse.TryParseInt64(text, out long value));
        Assert.Equal(expected, value);
        Assert.Equal(long.Parse(text, CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("1e3")]
    [InlineData("١٢")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("99999999999999999999")]
    public void TryParseInt64_AnythingElse_IsRefused(string? text)
    {
        Assert.False(CultureFreeParse.TryParseInt64(text, out long value));
        Assert.Equal(0, value);
    }

    [Theory]
    [InlineData("2147483647", true, int.MaxValue)]
    [InlineData("-2147483648", true, int.MinValue)]
    [InlineData("2147483648", false, 0)]
    [InlineData("12x", false, 0)]
    public void TryParseInt32_RangeIsChecked(string text, bool ok, int expected)
    {
        Assert.Equal(ok, CultureFreeParse.TryParseInt32(text, out int value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void TryParseInt64_RandomValues_RoundTrip()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < 10_000; i++)
        {
            long expected = random.NextInt64(long.MinValue, long.MaxValue);
            string text = expected.ToString(CultureInfo.InvariantCulture);
            Assert.True(CultureFreeParse.TryParseInt64(text, out long value), $"seed {seed}: {text}");
            Assert.Equal(expected, value);
        }
    }
}
