using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool;

public sealed class ProcessPoolSmokeTests
{
    [Fact]
    public void Submit_StaticLambda_RunsInAnotherProcess()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        int pid = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);

        Assert.NotEqual(Environment.ProcessId, pid);
    }

    [Fact]
    public void Submit_CapturingLambdaWithArgument_ReturnsResult()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        int offset = 40;

        int result = executor.Submit(x => x + offset, 2).GetResult(TestTimeouts.Unexpected);

        Assert.Equal(42, result);
    }
}
