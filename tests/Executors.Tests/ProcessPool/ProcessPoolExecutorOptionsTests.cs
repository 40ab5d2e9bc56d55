using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool;

/// <summary>
/// <see cref="ProcessPoolExecutorOptions"/>: defaults, setter validation (fails on the line that sets
/// the value), the constructor's own parameter names, and the executor's snapshot at construction.
/// </summary>
public sealed class ProcessPoolExecutorOptionsTests
{
    private const string SnapshotVariable = "EXECUTORS_TESTS_OPTIONS_SNAPSHOT";

    [Fact]
    public void Constructor_Defaults_MatchDocumentedDefaults()
    {
        var options = new ProcessPoolExecutorOptions();

        Assert.Null(options.MaxWorkers);
        Assert.Null(options.MaxTasksPerChild);
        Assert.Null(options.Initializer);
        Assert.Equal(ProcessPoolConstants.DefaultWorkerStartTimeout, options.WorkerStartTimeout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MaxWorkers_ZeroOrNegative_ThrowsArgumentOutOfRangeExceptionNamingValue(int value)
    {
        var options = new ProcessPoolExecutorOptions { MaxWorkers = 3 };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWorkers = value);

        Assert.Equal("value", exception.ParamName);
        Assert.Contains("MaxWorkers", exception.Message, StringComparison.Ordinal);
        Assert.Equal(value, exception.ActualValue);
        Assert.Equal(3, options.MaxWorkers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MaxTasksPerChild_ZeroOrNegative_ThrowsArgumentOutOfRangeExceptionNamingValue(int value)
    {
        var options = new ProcessPoolExecutorOptions { MaxTasksPerChild = 4 };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxTasksPerChild = value);

        Assert.Equal("value", exception.ParamName);
        Assert.Contains("MaxTasksPerChild", exception.Message, StringComparison.Ordinal);
        Assert.Equal(value, exception.ActualValue);
        Assert.Equal(4, options.MaxTasksPerChild);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(null)]
    public void MaxWorkersAndMaxTasksPerChild_PositiveOrNull_AreStored(int? value)
    {
        var options = new ProcessPoolExecutorOptions { MaxWorkers = 5, MaxTasksPerChild = 5 };

        options.MaxWorkers = value;
        options.MaxTasksPerChild = value;

        Assert.Equal(value, options.MaxWorkers);
        Assert.Equal(value, options.MaxTasksPerChild);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(-10_000)]
    public void WorkerStartTimeout_ZeroOrNegativeNotInfinite_ThrowsArgumentOutOfRangeException(int milliseconds)
    {
        var options = new ProcessPoolExecutorOptions();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => options.WorkerStartTimeout = TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal("value", exception.ParamName);
        Assert.Contains("WorkerStartTimeout", exception.Message, StringComparison.Ordinal);
        Assert.Equal(ProcessPoolConstants.DefaultWorkerStartTimeout, options.WorkerStartTimeout);
    }

    [Fact]
    public void WorkerStartTimeout_Infinite_IsStored()
    {
        var options = new ProcessPoolExecutorOptions();

        options.WorkerStartTimeout = Timeout.InfiniteTimeSpan;

        Assert.Equal(Timeout.InfiniteTimeSpan, options.WorkerStartTimeout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void ExecutorConstructor_MaxWorkersZeroOrNegative_ThrowsNamingMaxWorkers(int maxWorkers)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(maxWorkers: maxWorkers).Dispose());

        Assert.Equal("maxWorkers", exception.ParamName);
        Assert.Equal(maxWorkers, exception.ActualValue);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void ExecutorConstructor_MaxTasksPerChildZeroOrNegative_ThrowsNamingMaxTasksPerChild(int maxTasksPerChild)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPoolExecutor(maxWorkers: 1, maxTasksPerChild: maxTasksPerChild).Dispose());

        Assert.Equal("maxTasksPerChild", exception.ParamName);
        Assert.Equal(maxTasksPerChild, exception.ActualValue);
    }

    [Fact]
    public void ExecutorConstructor_NullOptions_ThrowsArgumentNullException()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => new ProcessPoolExecutor((ProcessPoolExecutorOptions)null!).Dispose());

        Assert.Equal("options", exception.ParamName);
    }

    [Fact]
    public void ExecutorConstructor_OptionsChangedAfterwards_ExecutorKeepsTheSnapshot()
    {
        var options = new ProcessPoolExecutorOptions { MaxWorkers = 1, Initializer = SetSnapshotVariable };
        using var executor = new ProcessPoolExecutor(options);

        options.MaxWorkers = 7;
        options.Initializer = null;
        string? seenByTask = executor.Submit(static () => Environment.GetEnvironmentVariable(SnapshotVariable)).GetResult(TestTimeouts.Unexpected);

        Assert.Equal(1, executor.MaxWorkers);
        Assert.Equal("initialized", seenByTask);
    }

    private static void SetSnapshotVariable() => Environment.SetEnvironmentVariable(SnapshotVariable, "initialized");
}
