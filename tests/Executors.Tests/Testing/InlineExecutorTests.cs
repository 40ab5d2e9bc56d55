using Executors.Testing;
using Executors.Tests.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Executors.Tests.Testing;

/// <summary>Behaviour of <see cref="InlineExecutor"/>: the task runs on the submitting thread, and Submit returns a done future.</summary>
public class InlineExecutorTests
{
    [Fact]
    public void Submit_RunsOnTheCallingThreadAndReturnsADoneFuture()
    {
        using var executor = new InlineExecutor();

        Future<Thread> future = executor.Submit(static () => Thread.CurrentThread);

        Assert.True(future.IsDone);
        Assert.Same(Thread.CurrentThread, future.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void Submit_TaskThrows_ExceptionGoesIntoTheFutureNotOutOfSubmit()
    {
        using var executor = new InlineExecutor();

        Future<int> future = executor.Submit<int>(static () => throw new InvalidOperationException("inside"));

        Assert.Equal(FutureState.Finished, future.State);
        Assert.Equal("inside", Assert.IsType<InvalidOperationException>(future.GetException(TimeSpan.Zero)).Message);
    }

    [Fact]
    public void Submit_FromATask_RunsNestedBeforeTheOuterTaskGoesOn()
    {
        using var executor = new InlineExecutor();
        var order = new List<string>();

        executor.Submit(() =>
        {
            order.Add("outer start");
            executor.Submit(() => order.Add("inner"));
            order.Add("outer end");
        });

        Assert.Equal(["outer start", "inner", "outer end"], order);
    }

    [Fact]
    public void DoneCallbackAddedAfterSubmit_RunsAtOnceOnTheCallingThread()
    {
        using var executor = new InlineExecutor();
        Future<int> future = executor.Submit(static () => 1);
        Thread? callbackThread = null;

        future.AddDoneCallback(_ => callbackThread = Thread.CurrentThread);

        Assert.Same(Thread.CurrentThread, callbackThread);
    }

    [Fact]
    public void Map_RunsEveryItemDuringTheCall()
    {
        using var executor = new InlineExecutor();
        var ran = new List<int>();

        IEnumerable<int> results = executor.Map(x => { ran.Add(x); return -x; }, [1, 2, 3]);

        Assert.Equal([1, 2, 3], ran);
        Assert.Equal([-1, -2, -3], results);
        Assert.Equal(3, executor.SubmittedCount);
    }

    [Fact]
    public void Map_ItemsOutlastTheTimeoutOnTheFakeClock_ResultsStillArrive()
    {
        // Each item moves the clock past the whole timeout, yet every result exists before it is
        // awaited: CPython's result(timeout) on a done future returns it, and so does Map here.
        var clock = new FakeTimeProvider();
        using var executor = new InlineExecutor(clock);

        List<int> results = [.. executor.Map(x => { clock.Advance(TimeSpan.FromSeconds(10)); return x; }, [1, 2], timeout: TimeSpan.FromSeconds(1))];

        Assert.Equal([1, 2], results);
    }

    [Fact]
    public void Shutdown_CancelFutures_HasNothingToCancel()
    {
        var executor = new InlineExecutor();
        Future<int> done = executor.Submit(static () => 4);

        executor.Shutdown(wait: true, cancelFutures: true);

        Assert.Equal(4, done.GetResult(TimeSpan.Zero));
        Assert.True(executor.IsShutdown);
    }

    [Fact]
    public void Shutdown_WaitTrue_WaitsForATaskAnotherThreadIsRunningInline()
    {
        var executor = new InlineExecutor();
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        Task<Future<int>> submitter = Task.Run(() => executor.Submit(() =>
        {
            started.Set();
            release.Wait(TestTimeouts.Unexpected);
            return 1;
        }));
        Assert.True(started.Wait(TestTimeouts.Unexpected));

        Task shutdown = Task.Run(() => executor.Shutdown(wait: true));
        bool returnedWhileRunning = shutdown.Wait(TestTimeouts.Expected);
        release.Set();

        Assert.False(returnedWhileRunning);
        Assert.True(shutdown.Wait(TestTimeouts.Unexpected));
        Assert.True(submitter.Wait(TestTimeouts.Unexpected));
        Assert.Equal(1, submitter.Result.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public async Task DisposeAsync_NothingRunning_CompletesAtOnce()
    {
        var executor = new InlineExecutor();

        ValueTask disposal = executor.DisposeAsync();

        Assert.True(disposal.IsCompletedSuccessfully);
        await disposal;
    }

    [Fact]
    public void TimeProvider_IsTheOneGiven()
    {
        var clock = new FakeTimeProvider();
        using var executor = new InlineExecutor(clock);

        Assert.Same(clock, executor.TimeProvider);
    }
}
