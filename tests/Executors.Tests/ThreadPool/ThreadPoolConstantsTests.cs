namespace Executors.Tests.ThreadPool;

/// <summary>
/// <see cref="ThreadPoolConstants"/> against the documented defaults (CPython's), and the options and
/// executor against the constants, so the three cannot drift apart.
/// </summary>
public sealed class ThreadPoolConstantsTests
{
    [Fact]
    public void DefaultMaxWorkers_IsMinOf32AndProcessorCountPlus4()
    {
        int expected = Math.Min(32, Environment.ProcessorCount + 4);

        int actual = ThreadPoolConstants.DefaultMaxWorkers;

        Assert.Equal(expected, actual);
        Assert.Equal(32, ThreadPoolConstants.DefaultMaxWorkersCap);
        Assert.Equal(4, ThreadPoolConstants.DefaultExtraWorkers);
    }

    [Fact]
    public void DefaultIdleTimeout_IsInfinite()
    {
        TimeSpan idleTimeout = ThreadPoolConstants.DefaultIdleTimeout;

        Assert.Equal(Timeout.InfiniteTimeSpan, idleTimeout);
        Assert.Equal(idleTimeout, new ThreadPoolExecutorOptions().IdleTimeout);
    }

    [Fact]
    public void DefaultThreadNamePrefixBase_IsThreadPoolExecutorDash()
    {
        string prefixBase = ThreadPoolConstants.DefaultThreadNamePrefixBase;

        Assert.Equal("ThreadPoolExecutor-", prefixBase);
    }

    [Fact]
    public void DefaultThreadNamePrefixBase_IsWhatDefaultWorkerNamesStartWith()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: 1);

        string? name = executor.Submit(static () => Thread.CurrentThread.Name).GetResult(TestUtilities.TestTimeouts.Unexpected);

        Assert.StartsWith(ThreadPoolConstants.DefaultThreadNamePrefixBase, name, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultMaxWorkers_IsWhatAnExecutorWithoutMaxWorkersUses()
    {
        using var executor = new ThreadPoolExecutor();

        int maxWorkers = executor.MaxWorkers;

        Assert.Equal(ThreadPoolConstants.DefaultMaxWorkers, maxWorkers);
    }
}
