namespace Executors.Tests.ProcessPool;

/// <summary>
/// One two-worker <see cref="ProcessPoolExecutor"/> shared by the tests of a class that do not need a
/// fresh pool: a worker start costs ~100 ms here, so the workers are started once per class.
/// </summary>
public sealed class ProcessPoolExecutorFixture : IDisposable
{
    /// <summary>Gets the shared executor. Tests must not shut it down.</summary>
    public ProcessPoolExecutor Executor { get; } = new(maxWorkers: 2);

    public void Dispose() => Executor.Dispose();
}
