using Executors.Testing;
using Executors.Tests.Contract;

namespace Executors.Tests.Testing;

/// <summary>
/// The <see cref="IExecutor"/> contract, proven for <see cref="ManualExecutor"/>, driven by
/// <c>maxWorkers</c> threads that loop on <see cref="ManualExecutor.RunNext(TimeSpan)"/>
/// (<see cref="ExecutorDrivers"/>): the whole contract applies unchanged, shutdown included.
/// </summary>
public sealed class ManualExecutorContractTests : ExecutorContractTests
{
    protected override IExecutor CreateExecutor(int maxWorkers)
    {
        var executor = new ManualExecutor();
        ExecutorDrivers.Start(maxWorkers, executor.RunNext);
        return executor;
    }
}
