using Executors.Testing;
using Executors.Tests.Contract;

namespace Executors.Tests.Testing;

/// <summary>
/// The <see cref="IExecutor"/> contract, proven for <see cref="InlineExecutor"/>: tasks run on the
/// submitting thread, so blocked tasks are submitted from helper threads, and the tests about work
/// waiting for a worker state that they do not apply (docs/design/0006).
/// </summary>
public sealed class InlineExecutorContractTests : ExecutorContractTests
{
    protected override bool RunsTasksInline => true;

    protected override IExecutor CreateExecutor(int maxWorkers) => new InlineExecutor();
}
