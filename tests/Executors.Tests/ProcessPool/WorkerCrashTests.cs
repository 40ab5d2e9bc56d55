using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Executors.Tests.TestUtilities;
using Xunit.Abstractions;

namespace Executors.Tests.ProcessPool;

/// <summary>
/// A worker process that dies (exit, fail-fast, SIGKILL, stack overflow, killed from outside) fails
/// only the future it was running with <see cref="BrokenProcessPoolException"/> saying what happened;
/// the calls written behind it that it had not started, and queued work, still run, and the pool
/// replaces the worker (docs/design/0004, section 6; docs/design/0005).
/// <see cref="ProcessPoolExecutor.KillWorkers"/> and <see cref="ProcessPoolExecutor.TerminateWorkers"/>
/// fail every call written to a worker, cancel queued ones, and leave no process behind.
/// </summary>
/// <remarks>
/// Most tests use one worker: up to <see cref="ProcessPoolConstants.InFlightPerWorker"/> calls are
/// written to it at a time and run in order, so the tasks submitted behind a gated task split into
/// calls in its window and queued ones.
/// </remarks>
public sealed class WorkerCrashTests
{
    /// <summary>Tasks submitted behind the gated one: enough to fill the worker's window and leave some queued.</summary>
    private const int Behind = ProcessPoolConstants.InFlightPerWorker + 4;

    /// <summary>The first index in the tasks behind the gated one that is certainly queued, not written to the worker.</summary>
    private const int FirstQueued = ProcessPoolConstants.InFlightPerWorker - 1;

    private readonly ITestOutputHelper _output;

    public WorkerCrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Submit_TaskCallsEnvironmentExit_FutureFailsWithExitCodeAndPoolRecovers()
    {
        AssertCrashIsContained(
            static gate =>
            {
                StartedReleaseGate.SignalStartedAndWait(gate);
                Environment.Exit(3);
                return 0;
            },
            "exited with code 3");
    }

    [Fact]
    public void Submit_TaskCallsFailFast_FutureFailsWithSignalAndPoolRecovers()
    {
        // FailFast aborts the runtime: SIGABRT (6) on Unix.
        AssertCrashIsContained(
            static gate =>
            {
                StartedReleaseGate.SignalStartedAndWait(gate);
                Environment.FailFast("WorkerCrashTests: fail-fast on purpose");
                return 0;
            },
            "signal 6");
    }

    [Fact]
    public void Submit_TaskKillsItsOwnProcess_FutureFailsWithSigkillAndPoolRecovers()
    {
        AssertCrashIsContained(
            static gate =>
            {
                StartedReleaseGate.SignalStartedAndWait(gate);
                using Process self = Process.GetCurrentProcess();
                self.Kill();
                return 0;
            },
            "signal 9");
    }

    [Fact]
    public void Submit_TaskOverflowsTheStack_FutureFailsWithSignalAndPoolRecovers()
    {
        // The runtime reports the stack overflow and aborts the process (SIGABRT on Linux today; any signal will do).
        AssertCrashIsContained(
            static gate =>
            {
                StartedReleaseGate.SignalStartedAndWait(gate);
                return Recurse(0);
            },
            "was killed by signal");
    }

    [Fact]
    public void Submit_WorkerCrashes_TaskRunningInAnotherWorkerCompletes()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        using var gate = new StartedReleaseGate();
        Future<int> survivor;
        int survivorPid;
        try
        {
            survivor = executor.Submit(
                static path =>
                {
                    StartedReleaseGate.SignalStartedAndWait(path);
                    return 42;
                },
                gate.Path);
            survivorPid = gate.WaitUntilStarted(TestTimeouts.Unexpected);

            Exception? crash = executor.Submit(static () =>
            {
                Environment.Exit(3);
                return 0;
            }).GetException(TestTimeouts.Unexpected);

            Assert.IsType<BrokenProcessPoolException>(crash);
            Assert.Contains("exited with code 3", crash.Message, StringComparison.Ordinal);
            Match crashedPid = Regex.Match(crash.Message, @"worker process (\d+)", RegexOptions.None, TestTimeouts.Unexpected);
            Assert.True(crashedPid.Success, crash.Message);
            Assert.NotEqual(survivorPid, int.Parse(crashedPid.Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.False(survivor.IsDone);
        }
        finally
        {
            gate.Release();
        }

        Assert.Equal(42, survivor.GetResult(TestTimeouts.Unexpected));
        Assert.True(LeakAssertions.IsWorkerAlive(survivorPid));
    }

    [Fact]
    public void Submit_WorkerKilledFromOutside_FutureFailsAndLaterSubmissionsRunInANewWorker()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new StartedReleaseGate();
        Future<int> running;
        int workerPid;
        try
        {
            running = executor.Submit(
                static path =>
                {
                    StartedReleaseGate.SignalStartedAndWait(path);
                    return 1;
                },
                gate.Path);
            workerPid = gate.WaitUntilStarted(TestTimeouts.Unexpected);
            Process worker = Assert.Single(executor.WorkerProcesses, process => process.Id == workerPid);

            worker.Kill();

            Exception? exception = running.GetException(TestTimeouts.Unexpected);
            BrokenProcessPoolException broken = Assert.IsType<BrokenProcessPoolException>(exception);
            _output.WriteLine(broken.Message);
            Assert.Contains("signal 9", broken.Message, StringComparison.Ordinal);
        }
        finally
        {
            gate.Release();
        }

        // A submission the instant the future failed can still reach the dead worker (that race has its
        // own test, Submit_RightAfterACrashFailedItsFuture_RunsInANewWorker): let the pool forget it first.
        Assert.True(
            SpinWait.SpinUntil(() => !LeakAssertions.WorkerPids(executor).Contains(workerPid), TestTimeouts.Unexpected),
            "The killed worker is still listed by the pool.");
        int newPid = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);
        Assert.NotEqual(workerPid, newPid);
        Assert.NotEqual(Environment.ProcessId, newPid);
        LeakAssertions.AssertWorkersExit([workerPid], TestTimeouts.Unexpected);
    }

    [Fact]
    public void Submit_RightAfterACrashFailedItsFuture_RunsInANewWorker()
    {
        // The window between a crashed future failing and the pool forgetting the dead worker is
        // short: a few rounds make a submission that lands in it likely.
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var failures = new List<string>();

        for (int round = 0; round < 10; round++)
        {
            Exception? crash = executor.Submit(static () =>
            {
                Environment.Exit(3);
                return 0;
            }).GetException(TestTimeouts.Unexpected);
            Assert.IsType<BrokenProcessPoolException>(crash);

            Exception? next = executor.Submit(static () => Environment.ProcessId).GetException(TestTimeouts.Unexpected);
            if (next is not null)
            {
                failures.Add($"round {round}: {next.GetType().Name}: {next.Message}");
            }
        }

        Assert.True(failures.Count == 0, "Submissions made right after a crash failed: " + string.Join(" | ", failures));
    }

    [Fact]
    public void Submit_FromDoneCallbackOfCrashedFuture_RunsInANewWorker()
    {
        // A retry from the failed future's callback: the callback runs while the pool is still
        // handling the crash, the most direct way to submit "right after" it.
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        var retried = new TaskCompletionSource<Future<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Future<int> crashing = executor.Submit(static () =>
        {
            Environment.Exit(3);
            return 0;
        });

        crashing.AddDoneCallback(_ =>
        {
            try
            {
                retried.SetResult(executor.Submit(static () => Environment.ProcessId));
            }
            catch (Exception ex)
            {
                retried.SetException(ex);
            }
        });

        Assert.True(retried.Task.Wait(TestTimeouts.Unexpected), "The done callback did not run.");
        Assert.IsType<BrokenProcessPoolException>(crashing.GetException(TimeSpan.Zero));
        Exception? retryFailure = retried.Task.Result.GetException(TestTimeouts.Unexpected);
        Assert.True(retryFailure is null, $"The retry failed: {retryFailure?.GetType().Name}: {retryFailure?.Message}");
    }

    [Fact]
    public void KillWorkers_TasksRunningAndQueued_RunningFailQueuedCanceledProcessesGone()
    {
        AssertStopAllWorkers(static executor => executor.KillWorkers(), "signal 9");
    }

    [Fact]
    public void TerminateWorkers_TasksRunningAndQueued_RunningFailQueuedCanceledProcessesGone()
    {
        // SIGTERM; the runtime's default handling exits with 128 + 15.
        AssertStopAllWorkers(static executor => executor.TerminateWorkers(), "signal 15");
    }

    /// <summary>Recurses until the stack overflows; the addition after the call keeps it from becoming a loop.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Recurse(int depth) => Recurse(depth + 1) + 1;

    private void AssertCrashIsContained(Func<string, int> crash, string expectedMessagePart)
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        Future<int>[] before = [.. Enumerable.Range(0, 3).Select(i => executor.Submit(static x => x * 10, i))];
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(i * 10, before[i].GetResult(TestTimeouts.Unexpected));
        }

        using var gate = new StartedReleaseGate();
        Future<int> crashing;
        Future<int>[] behind;
        int crashedPid;
        try
        {
            crashing = executor.Submit(crash, gate.Path);
            crashedPid = gate.WaitUntilStarted(TestTimeouts.Unexpected);
            behind = [.. Enumerable.Range(0, Behind).Select(i => executor.Submit(static x => x + 1000, i))];
        }
        finally
        {
            gate.Release();
        }

        Exception? exception = crashing.GetException(TestTimeouts.Unexpected);
        int laterPid = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);

        BrokenProcessPoolException broken = Assert.IsType<BrokenProcessPoolException>(exception);
        _output.WriteLine(broken.Message);
        Assert.Contains(expectedMessagePart, broken.Message, StringComparison.Ordinal);
        Assert.Contains(crashedPid.ToString(CultureInfo.InvariantCulture), broken.Message, StringComparison.Ordinal);
        for (int i = 0; i < behind.Length; i++)
        {
            // Written behind the crashing task but never started, or still queued: runs on the replacement.
            Exception? outcome = behind[i].GetException(TestTimeouts.Unexpected);
            Assert.Null(outcome);
            Assert.Equal(i + 1000, behind[i].GetResult(TimeSpan.Zero));
        }

        Assert.NotEqual(crashedPid, laterPid);
        Assert.NotEqual(Environment.ProcessId, laterPid);
    }

    private void AssertStopAllWorkers(Action<ProcessPoolExecutor> stop, string expectedMessagePart)
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new StartedReleaseGate();
        Future<int> running;
        Future<int>[] behind;
        int[] pids;
        try
        {
            running = executor.Submit(
                static path =>
                {
                    StartedReleaseGate.SignalStartedAndWait(path);
                    return 1;
                },
                gate.Path);
            _ = gate.WaitUntilStarted(TestTimeouts.Unexpected);
            behind = [.. Enumerable.Range(0, Behind).Select(i => executor.Submit(static x => x, i))];
            pids = LeakAssertions.WorkerPids(executor);

            stop(executor);

            Exception? exception = running.GetException(TestTimeouts.Unexpected);
            BrokenProcessPoolException broken = Assert.IsType<BrokenProcessPoolException>(exception);
            _output.WriteLine(broken.Message);
            Assert.Contains(expectedMessagePart, broken.Message, StringComparison.Ordinal);
        }
        finally
        {
            gate.Release();
        }

        for (int i = 0; i < behind.Length; i++)
        {
            if (i >= FirstQueued)
            {
                Assert.True(behind[i].IsCanceled, $"Queued task {i} is {behind[i].State}, not canceled.");
            }
            else
            {
                Exception? outcome = Record.Exception(() => behind[i].GetResult(TestTimeouts.Unexpected));
                Assert.True(
                    outcome is BrokenProcessPoolException or OperationCanceledException,
                    $"In-flight task {i} ended with {outcome?.GetType().Name ?? "a result"}.");
            }
        }

        Assert.NotEmpty(pids);
        LeakAssertions.AssertWorkersExit(pids, TestTimeouts.Unexpected);
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 0));
    }
}
