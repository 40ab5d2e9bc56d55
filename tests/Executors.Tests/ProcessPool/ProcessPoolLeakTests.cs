using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool;

/// <summary>
/// No worker process outlives its pool: after <see cref="ProcessPoolExecutor.Dispose"/>,
/// <see cref="ProcessPoolExecutor.DisposeAsync"/> or <c>Shutdown(wait: true)</c>, after a crash and
/// its replacement, and after recycling with <c>maxTasksPerChild</c>, every pid the pool ever had is
/// gone as far as the operating system is concerned (<see cref="LeakAssertions"/>).
/// </summary>
/// <remarks>
/// Pids are collected from inside the workers (tasks return <see cref="Environment.ProcessId"/>)
/// and from <see cref="ProcessPoolExecutor.WorkerProcesses"/>, so a worker that never ran a task
/// is counted too. Worker threads of the parent are not checked: other tests' pools share the process.
/// </remarks>
public sealed class ProcessPoolLeakTests
{
    [Fact]
    public void Dispose_AfterTasks_NoWorkerProcessAlive()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        HashSet<int> pids = RunTasksAndCollectPids(executor);

        executor.Dispose();

        LeakAssertions.AssertNoWorkerAlive(pids);
        Assert.Empty(executor.WorkerProcesses);
    }

    [Fact]
    public async Task DisposeAsync_AfterTasks_NoWorkerProcessAlive()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        HashSet<int> pids = RunTasksAndCollectPids(executor);

        await executor.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Unexpected);

        LeakAssertions.AssertNoWorkerAlive(pids);
        Assert.Empty(executor.WorkerProcesses);
    }

    [Fact]
    public void ShutdownWaitTrue_AfterTasks_NoWorkerProcessAlive()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        HashSet<int> pids = RunTasksAndCollectPids(executor);

        executor.Shutdown(wait: true);

        LeakAssertions.AssertNoWorkerAlive(pids);
        Assert.Empty(executor.WorkerProcesses);
    }

    [Fact]
    public void ShutdownWaitFalse_AfterTasks_WorkersExitOnTheirOwn()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        HashSet<int> pids = RunTasksAndCollectPids(executor);

        executor.Shutdown(wait: false);

        LeakAssertions.AssertWorkersExit(pids, TestTimeouts.Unexpected);
    }

    [Fact]
    public async Task DisposeAsync_TaskStillRunning_CompletesAfterItWithNoWorkerProcessAlive()
    {
        await using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new StartedReleaseGate();
        Future<int> running = executor.Submit(
            static path =>
            {
                StartedReleaseGate.SignalStartedAndWait(path);
                return Environment.ProcessId;
            },
            gate.Path);
        int pid;
        Task disposal;
        try
        {
            pid = gate.WaitUntilStarted(TestTimeouts.Unexpected);

            disposal = executor.DisposeAsync().AsTask();

            Task first = await Task.WhenAny(disposal, Task.Delay(TestTimeouts.Expected));
            Assert.NotSame(disposal, first);
            Assert.True(LeakAssertions.IsWorkerAlive(pid), LeakAssertions.Describe(pid));
        }
        finally
        {
            gate.Release();
        }

        await disposal.WaitAsync(TestTimeouts.Unexpected);
        Assert.Equal(pid, running.GetResult(TimeSpan.Zero));
        LeakAssertions.AssertNoWorkerAlive([pid]);
    }

    [Fact]
    public void Dispose_AfterWorkerCrashAndReplacement_NoWorkerProcessAlive()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        int crashedPid = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);
        Exception? crash = executor.Submit(static () =>
        {
            Environment.Exit(3);
            return 0;
        }).GetException(TestTimeouts.Unexpected);
        Assert.IsType<BrokenProcessPoolException>(crash);

        // Submitting the instant the crashed future fails can still reach the dead worker (see
        // WorkerCrashTests.Submit_RightAfterACrashFailedItsFuture_RunsInANewWorker); this test is about leaks.
        Assert.True(
            SpinWait.SpinUntil(() => !LeakAssertions.WorkerPids(executor).Contains(crashedPid), TestTimeouts.Unexpected),
            "The crashed worker is still listed by the pool.");
        int replacementPid = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);
        Assert.NotEqual(crashedPid, replacementPid);
        LeakAssertions.AssertWorkersExit([crashedPid], TestTimeouts.Unexpected);
        int[] pids = [crashedPid, replacementPid, .. LeakAssertions.WorkerPids(executor)];

        executor.Dispose();

        LeakAssertions.AssertNoWorkerAlive(pids);
    }

    [Fact]
    public void Dispose_AfterRecyclingWithMaxTasksPerChild_NoWorkerProcessAlive()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1, maxTasksPerChild: 2);

        // One at a time: with one worker and two tasks per child, six tasks run in three processes.
        int[] taskPids = new int[6];
        for (int i = 0; i < taskPids.Length; i++)
        {
            taskPids[i] = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);
        }

        int[] distinct = [.. taskPids.Distinct()];
        Assert.Equal(3, distinct.Length);

        // The retired workers exit on their own, before any shutdown.
        LeakAssertions.AssertWorkersExit(distinct[..^1], TestTimeouts.Unexpected);
        int[] pids = [.. distinct, .. LeakAssertions.WorkerPids(executor)];

        executor.Dispose();

        LeakAssertions.AssertNoWorkerAlive(pids);
    }

    /// <summary>Runs a few tasks on the pool and returns every worker pid seen, from the tasks and from the pool.</summary>
    private static HashSet<int> RunTasksAndCollectPids(ProcessPoolExecutor executor)
    {
        Future<int>[] futures = [.. Enumerable.Range(0, 8).Select(_ => executor.Submit(static () => Environment.ProcessId))];
        var pids = new HashSet<int>(LeakAssertions.WorkerPids(executor));
        foreach (Future<int> future in futures)
        {
            pids.Add(future.GetResult(TestTimeouts.Unexpected));
        }

        pids.UnionWith(LeakAssertions.WorkerPids(executor));
        Assert.DoesNotContain(Environment.ProcessId, pids);
        Assert.All(pids, pid => Assert.True(LeakAssertions.IsWorkerAlive(pid), LeakAssertions.Describe(pid)));
        return pids;
    }
}
