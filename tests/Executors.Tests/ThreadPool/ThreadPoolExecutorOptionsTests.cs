using Executors.Tests.TestUtilities;

namespace Executors.Tests.ThreadPool;

/// <summary>
/// <see cref="ThreadPoolExecutorOptions"/>: defaults, setter validation (fails on the line that sets
/// the value), and the executor's snapshot at construction.
/// </summary>
public sealed class ThreadPoolExecutorOptionsTests
{
    [Fact]
    public void Constructor_Defaults_MatchDocumentedDefaults()
    {
        var options = new ThreadPoolExecutorOptions();

        Assert.Null(options.MaxWorkers);
        Assert.Null(options.ThreadNamePrefix);
        Assert.Null(options.Initializer);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.IdleTimeout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MaxWorkers_ZeroOrNegative_ThrowsArgumentOutOfRangeExceptionNamingTheProperty(int value)
    {
        var options = new ThreadPoolExecutorOptions();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWorkers = value);

        Assert.Equal("value", exception.ParamName);
        Assert.Contains("MaxWorkers", exception.Message, StringComparison.Ordinal);
        Assert.Equal(value, exception.ActualValue);
        Assert.Null(options.MaxWorkers);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(null)]
    public void MaxWorkers_PositiveOrNull_IsStored(int? value)
    {
        var options = new ThreadPoolExecutorOptions { MaxWorkers = 5 };

        options.MaxWorkers = value;

        Assert.Equal(value, options.MaxWorkers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(-10_000)]
    public void IdleTimeout_ZeroOrNegativeNotInfinite_ThrowsArgumentOutOfRangeExceptionNamingTheProperty(int milliseconds)
    {
        var options = new ThreadPoolExecutorOptions();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.IdleTimeout = TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal("value", exception.ParamName);
        Assert.Contains("IdleTimeout", exception.Message, StringComparison.Ordinal);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.IdleTimeout);
    }

    [Fact]
    public void IdleTimeout_NegativeTick_ThrowsArgumentOutOfRangeException()
    {
        var options = new ThreadPoolExecutorOptions();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.IdleTimeout = TimeSpan.FromTicks(-1));

        Assert.Equal("value", exception.ParamName);
    }

    [Fact]
    public void IdleTimeout_InfiniteOrPositive_IsStored()
    {
        var options = new ThreadPoolExecutorOptions();

        options.IdleTimeout = TimeSpan.FromMilliseconds(1);
        TimeSpan positive = options.IdleTimeout;
        options.IdleTimeout = Timeout.InfiniteTimeSpan;

        Assert.Equal(TimeSpan.FromMilliseconds(1), positive);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.IdleTimeout);
    }

    [Fact]
    public void ThreadNamePrefixAndInitializer_Set_AreStored()
    {
        Action initializer = static () => { };

        var options = new ThreadPoolExecutorOptions { ThreadNamePrefix = "p", Initializer = initializer };

        Assert.Equal("p", options.ThreadNamePrefix);
        Assert.Same(initializer, options.Initializer);
    }

    [Fact]
    public void ExecutorConstructor_OptionsChangedAfterwards_KeepsTheValuesAtConstruction()
    {
        int laterInitializerCalls = 0;
        var options = new ThreadPoolExecutorOptions { MaxWorkers = 2, ThreadNamePrefix = "snapshot" };
        using var executor = new ThreadPoolExecutor(options);

        options.MaxWorkers = 9;
        options.ThreadNamePrefix = "changed";
        options.Initializer = () => Interlocked.Increment(ref laterInitializerCalls);
        options.IdleTimeout = TimeSpan.FromMilliseconds(1);
        string? name = executor.Submit(static () => Thread.CurrentThread.Name).GetResult(TestTimeouts.Unexpected);
        bool workerExited = SpinWait.SpinUntil(() => executor.WorkerCount == 0, TestTimeouts.Expected);

        Assert.Equal(2, executor.MaxWorkers);
        Assert.Equal("snapshot_0", name);
        Assert.Equal(0, Volatile.Read(ref laterInitializerCalls));
        Assert.False(workerExited, "The idle timeout set after construction must not apply.");
    }

    [Fact]
    public void ExecutorConstructor_Options_AreApplied()
    {
        int initializerCalls = 0;
        var options = new ThreadPoolExecutorOptions
        {
            MaxWorkers = 3,
            ThreadNamePrefix = "applied",
            Initializer = () => Interlocked.Increment(ref initializerCalls),
        };
        using var executor = new ThreadPoolExecutor(options);

        string? name = executor.Submit(static () => Thread.CurrentThread.Name).GetResult(TestTimeouts.Unexpected);

        Assert.Equal(3, executor.MaxWorkers);
        Assert.Equal("applied_0", name);
        Assert.Equal(1, Volatile.Read(ref initializerCalls));
    }

    [Fact]
    public void ExecutorConstructor_DefaultOptions_UseDefaultMaxWorkers()
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions());

        int maxWorkers = executor.MaxWorkers;

        Assert.Equal(Math.Min(32, Environment.ProcessorCount + 4), maxWorkers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ExecutorConstructor_MaxWorkersZeroOrNegative_ThrowsArgumentOutOfRangeExceptionNamingMaxWorkers(int maxWorkers)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(maxWorkers: maxWorkers));

        Assert.Equal("maxWorkers", exception.ParamName);
        Assert.Equal(maxWorkers, exception.ActualValue);
    }

    [Fact]
    public void ExecutorConstructor_NullOptions_ThrowsArgumentNullException()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => new ThreadPoolExecutor((ThreadPoolExecutorOptions)null!));

        Assert.Equal("options", exception.ParamName);
    }
}
