namespace Executors.Tests.Contract;

/// <summary>The <see cref="IExecutor"/> contract, proven for <see cref="ThreadPoolExecutor"/>.</summary>
public sealed class ThreadPoolExecutorContractTests : ExecutorContractTests
{
    protected override IExecutor CreateExecutor(int maxWorkers) => new ThreadPoolExecutor(maxWorkers);
}
