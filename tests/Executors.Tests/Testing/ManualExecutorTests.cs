using Executors.Testing;
using Executors.Tests.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Executors.Tests.Testing;

/// <summary>Behaviour of <see cref="ManualExecutor"/> driven by the test thread alone: nothing runs until the test runs it.</summary>
public class ManualExecutorTests
{
    [Fact]
    public void Submit_NothingRunsUntilTheTestRunsIt()
    {
        using var executor = new ManualExecutor();
        int runs = 0;

        Future<int> future = executor.Submit(() => ++runs);

        Assert.Equal(FutureState.Pending, future.State);
        Assert.Equal(0, runs);
        Assert.True(executor.RunNext());
        Assert.Equal(1, runs);
        Assert.Equal(1, future.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void RunNext_RunsTheOldestPendingTaskFirst_OnTheCallingThread()
    {
        using var executor = new ManualExecutor();
        var order = new List<string>();
        var threads = new List<Thread>();
        executor.Submit(() => { order.Add("a"); threads.Add(Thread.CurrentThread); });
        executor.Submit(() => { order.Add("b"); threads.Add(Thread.CurrentThread); });

        Assert.True(executor.RunNext());
        Assert.Equal(["a"], order);
        Assert.True(executor.RunNext());
        Assert.Equal(["a", "b"], order);
        Assert.All(threads, t => Assert.Same(Thread.CurrentThread, t));
    }

    [Fact]
    public void RunNext_NothingPending_ReturnsFalse()
    {
        using var executor = new ManualExecutor();

        Assert.False(executor.RunNext());
    }

    [Fact]
    public void RunAll_RunsTasksPendingAtTheCall_TasksTheySubmitStayQueued()
    {
        using var executor = new ManualExecutor();
        var order = new List<string>();
        executor.Submit(() =>
        {
            order.Add("first");
            executor.Submit(() => order.Add("child"));
        });
        executor.Submit(() => order.Add("second"));

        int ran = executor.RunAll();

        Assert.Equal(2, ran);
        Assert.Equal(["first", "second"], order);
        ScheduledTask child = Assert.Single(executor.Pending);
        Assert.Equal(2, child.Id);
    }

    [Fact]
    public void RunUntilIdle_RunsTasksSubmittedByTasksToo()
    {
        using var executor = new ManualExecutor();
        var order = new List<int>();
        executor.Submit(() =>
        {
            order.Add(1);
            executor.Submit(() =>
            {
                order.Add(3);
                executor.Submit(() => order.Add(4));
            });
        });
        executor.Submit(() => order.Add(2));

        int ran = executor.RunUntilIdle();

        Assert.Equal(4, ran);
        Assert.Equal([1, 2, 3, 4], order);
        Assert.Empty(executor.Pending);
    }

    [Fact]
    public void RunUntilIdle_TaskResubmitsItselfForever_ThrowsAfterMaxTasks()
    {
        using var executor = new ManualExecutor();
        int runs = 0;
        void Again()
        {
            runs++;
            executor.Submit(Again);
        }

        executor.Submit(Again);

        var exception = Assert.Throws<InvalidOperationException>(() => executor.RunUntilIdle(maxTasks: 50));
        Assert.Equal(50, runs);
        Assert.Contains("50", exception.Message, StringComparison.Ordinal);
        executor.Shutdown(wait: false, cancelFutures: true);
    }

    [Fact]
    public void RunUntilIdle_ExactlyMaxTasksThenIdle_ReturnsWithoutThrowing()
    {
        using var executor = new ManualExecutor();
        executor.Submit(static () => 1);
        executor.Submit(static () => 2);

        Assert.Equal(2, executor.RunUntilIdle(maxTasks: 2));
    }

    [Fact]
    public void RunUntilIdle_ZeroMaxTasks_ThrowsArgumentOutOfRangeException()
    {
        using var executor = new ManualExecutor();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => executor.RunUntilIdle(maxTasks: 0));

        Assert.Equal("maxTasks", exception.ParamName);
    }

    [Fact]
    public void Pending_ListsIdsAndDescriptionsInSubmissionOrder()
    {
        using var executor = new ManualExecutor();
        executor.Submit(static () => 1);
        executor.Submit(Square, 7);
        executor.Submit(static () => { });
        _ = executor.Map(static (string s) => s.Length, ["a", "bc"]);

        IReadOnlyList<ScheduledTask> pending = executor.Pending;

        Assert.Equal([0, 1, 2, 3, 4], pending.Select(t => t.Id));
        Assert.Equal("Submit ManualExecutorTests.Pending_ListsIdsAndDescriptionsInSubmissionOrder lambda", pending[0].Description);
        Assert.Equal("Submit ManualExecutorTests.Square(7)", pending[1].Description);
        Assert.StartsWith("Submit ManualExecutorTests.Pending_ListsIdsAndDescriptionsInSubmissionOrder", pending[2].Description, StringComparison.Ordinal);
        Assert.Equal("Map[0] ManualExecutorTests.Pending_ListsIdsAndDescriptionsInSubmissionOrder lambda(\"a\")", pending[3].Description);
        Assert.Equal("Map[1] ManualExecutorTests.Pending_ListsIdsAndDescriptionsInSubmissionOrder lambda(\"bc\")", pending[4].Description);
        Assert.Equal("#1 Submit ManualExecutorTests.Square(7)", pending[1].ToString());
    }

    [Fact]
    public void Pending_FutureOfEachTaskIsTheOneSubmitReturned()
    {
        using var executor = new ManualExecutor();

        Future<int> future = executor.Submit(static () => 1);

        Assert.Same(future, Assert.Single(executor.Pending).Future);
    }

    [Fact]
    public void Cancel_PendingTask_NeverRunsAndIsNotListed()
    {
        using var executor = new ManualExecutor();
        int runs = 0;
        Future<int> canceled = executor.Submit(() => ++runs);
        Future<int> kept = executor.Submit(static () => 2);

        Assert.True(canceled.Cancel());
        ScheduledTask stillPending = Assert.Single(executor.Pending);
        int ran = executor.RunUntilIdle();

        Assert.Same(kept, stillPending.Future);
        Assert.Equal(1, ran);
        Assert.Equal(0, runs);
        Assert.Equal(2, kept.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void DoneCallbacks_RunOnTheThreadThatRunsTheTask()
    {
        using var executor = new ManualExecutor();
        Future<int> future = executor.Submit(static () => 1);
        Thread? callbackThread = null;
        future.AddDoneCallback(_ => callbackThread = Thread.CurrentThread);

        Task run = Task.Run(() => executor.RunNext());

        Assert.True(run.Wait(TestTimeouts.Unexpected));
        Assert.NotNull(callbackThread);
        Assert.NotSame(Thread.CurrentThread, callbackThread);
    }

    [Fact]
    public void Map_ItemsAreQueuedAndResultsComeInInputOrderOnceRun()
    {
        using var executor = new ManualExecutor();

        IEnumerable<int> results = executor.Map(static (int x) => x * x, [1, 2, 3]);
        int pendingAtCall = executor.Pending.Count;
        executor.RunUntilIdle();

        Assert.Equal(3, pendingAtCall);
        Assert.Equal([1, 4, 9], results);
    }

    [Fact]
    public void Map_TimeoutOnFakeClock_PassesWhenTheClockIsAdvanced()
    {
        var clock = new FakeTimeProvider();
        using var executor = new ManualExecutor(clock);
        IEnumerable<int> results = executor.Map(static (int x) => x, [1, 2], timeout: TimeSpan.FromSeconds(5));

        // The deadline was fixed by the Map call; nobody runs the items, and only the fake clock can pass it.
        clock.Advance(TimeSpan.FromSeconds(5));
        Exception? exception = Record.Exception(() => results.ToList());

        Assert.IsType<TimeoutException>(exception);
        Assert.Empty(executor.Pending);
    }

    [Fact]
    public void Map_TimeoutOnFakeClockNotAdvanced_ResultsArriveLongAfterTheTimeoutInRealTime()
    {
        var clock = new FakeTimeProvider();
        using var executor = new ManualExecutor(clock);
        IEnumerable<int> results = executor.Map(static (int x) => x + 1, [1, 2], timeout: TimeSpan.FromMilliseconds(1));
        Task<List<int>> consumer = Task.Run(() => results.ToList());
        bool endedEarly = consumer.Wait(TestTimeouts.Expected);

        executor.RunUntilIdle();

        Assert.False(endedEarly);
        Assert.True(consumer.Wait(TestTimeouts.Unexpected));
        Assert.Equal([2, 3], consumer.Result);
    }

    [Fact]
    public void Shutdown_WaitFalse_QueuedTasksStayQueuedAndStillRunWhenRun()
    {
        using var executor = new ManualExecutor();
        Future<int> queued = executor.Submit(static () => 5);

        executor.Shutdown(wait: false);

        Assert.True(executor.IsShutdown);
        Assert.Equal(FutureState.Pending, queued.State);
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 6));
        Assert.True(executor.RunNext());
        Assert.Equal(5, queued.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void Shutdown_WaitTrue_RunsWhatIsPendingOnTheCallingThread()
    {
        var executor = new ManualExecutor();
        var threads = new List<Thread>();
        Future first = executor.Submit(() => threads.Add(Thread.CurrentThread));
        Future second = executor.Submit(() => threads.Add(Thread.CurrentThread));

        executor.Shutdown(wait: true);

        Assert.True(first.IsDone);
        Assert.True(second.IsDone);
        Assert.Equal([Thread.CurrentThread, Thread.CurrentThread], threads);
    }

    [Fact]
    public void Shutdown_WaitTrue_TaskSubmittingDuringTheDrainGetsObjectDisposedException()
    {
        var executor = new ManualExecutor();
        Future<Future<int>> submitter = executor.Submit(() => executor.Submit(static () => 1));

        executor.Shutdown(wait: true);

        Assert.IsType<ObjectDisposedException>(submitter.GetException(TimeSpan.Zero));
    }

    [Fact]
    public void Shutdown_CancelFutures_CancelsEveryPendingTaskAndNoneRuns()
    {
        var executor = new ManualExecutor();
        int runs = 0;
        Future<int>[] futures = [.. Enumerable.Range(0, 3).Select(_ => executor.Submit(() => ++runs))];

        executor.Shutdown(wait: true, cancelFutures: true);

        Assert.All(futures, f => Assert.True(f.IsCanceled));
        Assert.Equal(0, runs);
        Assert.Empty(executor.Pending);
    }

    [Fact]
    public void Shutdown_WaitTrueFromATask_RunsTheRestNestedAndReturns()
    {
        var executor = new ManualExecutor();
        var order = new List<string>();
        executor.Submit(() =>
        {
            order.Add("shutdown start");
            executor.Shutdown(wait: true);
            order.Add("shutdown end");
        });
        executor.Submit(() => order.Add("queued"));

        Assert.True(executor.RunNext());

        Assert.Equal(["shutdown start", "queued", "shutdown end"], order);
    }

    [Fact]
    public void Shutdown_WaitTrue_WaitsForATaskAnotherThreadIsRunning()
    {
        var executor = new ManualExecutor();
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        Future<int> running = executor.Submit(() =>
        {
            started.Set();
            release.Wait(TestTimeouts.Unexpected);
            return 1;
        });
        Task driver = Task.Run(() => executor.RunNext());
        Assert.True(started.Wait(TestTimeouts.Unexpected));

        Task shutdown = Task.Run(() => executor.Shutdown(wait: true));
        bool returnedWhileRunning = shutdown.Wait(TestTimeouts.Expected);
        release.Set();

        Assert.False(returnedWhileRunning);
        Assert.True(shutdown.Wait(TestTimeouts.Unexpected));
        Assert.Equal(1, running.GetResult(TimeSpan.Zero));
        Assert.True(driver.Wait(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Dispose_RunsWhatIsPending()
    {
        Future<int> future;
        using (var executor = new ManualExecutor())
        {
            future = executor.Submit(static () => 9);
        }

        Assert.Equal(9, future.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public async Task DisposeAsync_RunsWhatIsPendingAndCompletes()
    {
        var executor = new ManualExecutor();
        Future<int> future = executor.Submit(static () => 9);

        await executor.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Unexpected);

        Assert.Equal(9, future.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void RunNextWithTimeout_TaskSubmittedByAnotherThread_RunsIt()
    {
        using var executor = new ManualExecutor();
        Task<bool> driver = Task.Run(() => executor.RunNext(TestTimeouts.Unexpected));

        Future<int> future = executor.Submit(static () => 3);

        Assert.True(driver.Wait(TestTimeouts.Unexpected));
        Assert.True(driver.Result);
        Assert.Equal(3, future.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void RunNextWithTimeout_LongerThanMonitorWaitAccepts_WaitsUntilATaskIsSubmitted()
    {
        using var executor = new ManualExecutor();

        // Beyond int.MaxValue milliseconds, which Monitor.Wait refuses: the wait must come in rounds.
        Task<bool> driver = Task.Run(() => executor.RunNext(TimeSpan.FromDays(30)));
        bool endedBeforeSubmit = driver.Wait(TestTimeouts.Expected);
        Future<int> future = executor.Submit(static () => 4);

        Assert.False(endedBeforeSubmit);
        Assert.True(driver.Wait(TestTimeouts.Unexpected));
        Assert.True(driver.Result);
        Assert.Equal(4, future.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void RunNextWithTimeout_NothingSubmitted_ReturnsFalseAfterTheTimeout()
    {
        using var executor = new ManualExecutor();

        Assert.False(executor.RunNext(TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public void RunNextWithTimeout_ShutDownWhileWaiting_ReturnsFalse()
    {
        using var executor = new ManualExecutor();
        Task<bool> driver = Task.Run(() => executor.RunNext(TestTimeouts.Unexpected));

        executor.Shutdown(wait: false);

        Assert.True(driver.Wait(TestTimeouts.Unexpected));
        Assert.False(driver.Result);
    }

    [Fact]
    public void RunNextWithTimeout_NegativeTimeout_ThrowsArgumentOutOfRangeException()
    {
        using var executor = new ManualExecutor();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => executor.RunNext(TimeSpan.FromSeconds(-3)));

        Assert.Equal("timeout", exception.ParamName);
    }

    [Fact]
    public void SubmitAction_FutureIsDoneWithoutExceptionOnceRun()
    {
        using var executor = new ManualExecutor();
        bool ran = false;

        Future future = executor.Submit(() => { ran = true; });
        executor.RunNext();

        Assert.True(ran);
        Assert.Null(future.GetException(TimeSpan.Zero));
    }

    [Fact]
    public void TimeProvider_DefaultsToSystem()
    {
        using var executor = new ManualExecutor();

        Assert.Same(TimeProvider.System, executor.TimeProvider);
    }

    private static int Square(int x) => x * x;
}
