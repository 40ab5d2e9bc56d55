using Executors.Tests.TestUtilities;

namespace Executors.Tests.Testing;

/// <summary>
/// Threads that drive a <see cref="Executors.Testing.ManualExecutor"/> or <see cref="Executors.Testing.SeededExecutor"/>
/// the way a test of concurrent code does: each loops on <c>RunNext(timeout)</c>, taking tasks as they
/// are submitted, so <c>maxWorkers</c> of them act as that many workers. This is how the
/// <see cref="Contract.ExecutorContractTests"/> run against executors that run nothing by themselves.
/// </summary>
internal static class ExecutorDrivers
{
    /// <summary>Starts <paramref name="count"/> background driver threads.</summary>
    /// <param name="count">How many drivers (the contract's <c>maxWorkers</c>).</param>
    /// <param name="runNext">The executor's <c>RunNext(TimeSpan)</c>.</param>
    /// <remarks>
    /// A driver ends when <paramref name="runNext"/> returns <see langword="false"/>: the executor is
    /// shut down with nothing pending, or nothing was submitted for <see cref="TestTimeouts.Unexpected"/>
    /// (a test that never shut its executor down leaks no thread for long).
    /// </remarks>
    public static void Start(int count, Func<TimeSpan, bool> runNext)
    {
        for (int i = 0; i < count; i++)
        {
            var thread = new Thread(() =>
            {
                while (runNext(TestTimeouts.Unexpected))
                {
                }
            })
            {
                IsBackground = true,
                Name = $"ExecutorDriver_{i}",
            };
            thread.Start();
        }
    }
}
