using Executors.ProcessPool.Serialization;
using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class DeclaredTypeCheckTests
{
    [Fact]
    public void EnsureRoundTrips_RecordHeldAsObject_ThrowsNamingBothTypes()
    {
        object value = new Sample(1, 2);

        var ex = Assert.Throws<NotSupportedException>(() => DeclaredTypeCheck.EnsureRoundTrips(typeof(object), value, "The captured value"));

        Assert.Contains("System.Object", ex.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Sample), ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(string), "text")]
    [InlineData(typeof(int), 5)]
    [InlineData(typeof(object), null)]
    public void EnsureRoundTrips_ValueOfItsDeclaredTypeOrNull_DoesNotThrow(Type declared, object? value)
    {
        Exception? ex = Record.Exception(() => DeclaredTypeCheck.EnsureRoundTrips(declared, value, "The argument"));

        Assert.Null(ex);
    }

    [Fact]
    public void EnsureRoundTrips_ListHeldAsCollectionInterface_DoesNotThrow()
    {
        IReadOnlyList<int> value = new List<int> { 1, 2 };

        Exception? ex = Record.Exception(() => DeclaredTypeCheck.EnsureRoundTrips(typeof(IReadOnlyList<int>), value, "The argument"));

        Assert.Null(ex);
    }

    [Fact]
    public void Submit_LambdaCapturingRecordAsObject_ThrowsArgumentExceptionAtTheCall()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        Func<string> fn = CaptureAsObject(new Sample(3, 4));

        var ex = Assert.Throws<ArgumentException>(() => executor.Submit(fn));

        Assert.Equal("fn", ex.ParamName);
        Assert.Contains("declared as 'System.Object'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(7, executor.Submit(static () => 7).GetResult(TestTimeouts.Unexpected));
    }

    private static Func<string> CaptureAsObject(object boxed) => () => boxed.ToString() ?? string.Empty;

    public sealed record Sample(int X, int Y);
}
