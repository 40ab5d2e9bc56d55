using Executors.Tests.TestUtilities;

namespace Executors.Tests.Contract;

/// <summary>
/// The <see cref="IExecutor"/> contract, proven for <see cref="ProcessPoolExecutor"/>: tasks run in
/// worker processes, so the gate is a directory both processes can see, a task's exception arrives
/// rebuilt with a <see cref="RemoteTaskException"/> inside, and work written ahead to a worker can no
/// longer be canceled.
/// </summary>
public sealed class ProcessPoolExecutorContractTests : ExecutorContractTests
{
    /// <summary>
    /// Gets the calls a blocked worker may already hold behind the one it runs: its window
    /// (<see cref="ProcessPoolConstants.InFlightPerWorker"/>, <c>WorkerSupervisor.DispatchLocked</c>)
    /// minus the running one. They are Running for the user, as CPython's call queue items are; the
    /// contract tests that use this allowance run one worker.
    /// </summary>
    protected override int StartedAheadAllowance => ProcessPoolConstants.InFlightPerWorker - 1;

    /// <summary>Gets <see langword="false"/>: a delegate capturing the executor cannot be shipped to a worker process.</summary>
    protected override bool TasksCanUseTheirExecutor => false;

    protected override IExecutor CreateExecutor(int maxWorkers) => new ProcessPoolExecutor(maxWorkers);

    protected override TaskGate CreateGate() => new FileTaskGate();

    protected override void AssertTaskException(Exception? actual, string expectedMessage)
    {
        InvalidOperationException exception = Assert.IsType<InvalidOperationException>(actual);
        Assert.Equal(expectedMessage, exception.Message);
        RemoteTaskException remote = Assert.IsType<RemoteTaskException>(exception.InnerException);
        Assert.Equal(typeof(InvalidOperationException).FullName, remote.RemoteExceptionType);
        Assert.Equal(expectedMessage, remote.Message);
    }

    /// <summary>The <see cref="ExecutorContractTests.TaskGate"/> contract over a <see cref="CrossProcessGate"/>, whose delegates capture only its directory path.</summary>
    private sealed class FileTaskGate : TaskGate
    {
        private readonly CrossProcessGate _gate = new();

        public override int EnteredCount => _gate.EnteredCount;

        public override Func<int> BlockingTask(int result)
        {
            string directory = _gate.DirectoryPath;
            return () =>
            {
                CrossProcessGate.Enter(directory, block: true);
                return result;
            };
        }

        public override Func<int, int> MapFunction(int blockedItem)
        {
            string directory = _gate.DirectoryPath;
            return x =>
            {
                CrossProcessGate.Enter(directory, block: x == blockedItem);
                return x * 10;
            };
        }

        public override bool WaitUntilEntered(int count, TimeSpan timeout) => _gate.WaitUntilEntered(count, timeout);

        public override void Open() => _gate.Open();

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                _gate.Dispose();
            }
        }
    }
}
