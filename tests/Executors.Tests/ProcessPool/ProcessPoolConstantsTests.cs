namespace Executors.Tests.ProcessPool;

/// <summary>
/// <see cref="ProcessPoolConstants"/> against the documented defaults (CPython's), and the options and
/// executor against the constants, so that they cannot drift apart.
/// </summary>
public sealed class ProcessPoolConstantsTests
{
    [Fact]
    public void DefaultMaxWorkers_IsProcessorCount()
    {
        int actual = ProcessPoolConstants.DefaultMaxWorkers;

        Assert.Equal(Environment.ProcessorCount, actual);
    }

    [Fact]
    public void DefaultMaxTasksPerChild_IsZeroMeaningNeverRecycle()
    {
        int actual = ProcessPoolConstants.DefaultMaxTasksPerChild;

        Assert.Equal(0, actual);
    }

    [Fact]
    public void ProtocolVersion_IsAtLeastOne()
    {
        int version = ProcessPoolConstants.ProtocolVersion;

        Assert.InRange(version, 1, int.MaxValue);
    }

    [Fact]
    public void DefaultWorkerStartTimeout_IsTheOptionsDefault()
    {
        TimeSpan constant = ProcessPoolConstants.DefaultWorkerStartTimeout;

        TimeSpan option = new ProcessPoolExecutorOptions().WorkerStartTimeout;

        Assert.Equal(TimeSpan.FromSeconds(60), constant);
        Assert.Equal(constant, option);
    }

    [Fact]
    public void DefaultMaxWorkers_IsWhatAnExecutorWithoutMaxWorkersUses()
    {
        using var executor = new ProcessPoolExecutor(new ProcessPoolExecutorOptions());

        int maxWorkers = executor.MaxWorkers;

        Assert.Equal(ProcessPoolConstants.DefaultMaxWorkers, maxWorkers);
    }
}
