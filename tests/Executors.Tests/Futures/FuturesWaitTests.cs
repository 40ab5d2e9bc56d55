using Executors.Tests.TestUtilities;

namespace Executors.Tests.FuturesTests;

// This namespace hides the static class Executors.Futures; the alias brings it back.

public class FuturesWaitTests
{
    /// <summary>
    /// The timeout given to a <see cref="Futures.Wait"/> that must return because its condition
    /// holds: longer than the test's own bound, so that a Wait that only returned on its timeout
    /// fails the test instead of passing late.
    /// </summary>
    private static TimeSpan LongerThanUnexpected =>
        TestTimeouts.Unexpected == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TestTimeouts.Unexpected * 2;

    [Theory]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public void Wait_AllAlreadyDone_ReturnsAllAsDone(ReturnWhen returnWhen)
    {
        Future<int> finished = Finished(1);
        Future<int> faulted = Faulted();
        Future<int> canceled = Canceled();

        DoneAndNotDone result = Futures.Wait([finished, faulted, canceled], Timeout.InfiniteTimeSpan, returnWhen);

        AssertSetEqual([finished, faulted, canceled], result.Done);
        Assert.Empty(result.NotDone);
    }

    [Theory]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public void Wait_Empty_ReturnsEmptySets(ReturnWhen returnWhen)
    {
        DoneAndNotDone result = Futures.Wait([], Timeout.InfiniteTimeSpan, returnWhen);

        Assert.Empty(result.Done);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public void Wait_FirstCompletedWithOneAlreadyDone_ReturnsAtOnceWithPendingAsNotDone()
    {
        Future<int> finished = Finished(1);
        var pending = new Future<int>();

        DoneAndNotDone result = Futures.Wait([finished, pending], Timeout.InfiniteTimeSpan, ReturnWhen.FirstCompleted);

        AssertSetEqual([finished], result.Done);
        AssertSetEqual([pending], result.NotDone);
    }

    [Fact]
    public void Wait_FirstExceptionWithOneAlreadyFaulted_ReturnsAtOnce()
    {
        Future<int> faulted = Faulted();
        Future<int> finished = Finished(1);
        var pending = new Future<int>();

        DoneAndNotDone result = Futures.Wait([finished, faulted, pending], Timeout.InfiniteTimeSpan, ReturnWhen.FirstException);

        AssertSetEqual([finished, faulted], result.Done);
        AssertSetEqual([pending], result.NotDone);
    }

    [Fact]
    public async Task Wait_FirstCompleted_ReturnsWhenAnotherThreadCompletesOne()
    {
        var first = new Future<int>();
        var second = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([first, second], LongerThanUnexpected, ReturnWhen.FirstCompleted));
        await AssertStillBlockedAsync(waiting);

        second.SetResult(2);

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([second], result.Done);
        AssertSetEqual([first], result.NotDone);
    }

    [Fact]
    public async Task Wait_AllCompleted_ReturnsOnlyWhenTheLastCompletes()
    {
        var first = new Future<int>();
        var second = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([first, second], LongerThanUnexpected, ReturnWhen.AllCompleted));

        first.SetResult(1);
        await AssertStillBlockedAsync(waiting);
        second.SetException(new InvalidOperationException());

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([first, second], result.Done);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public async Task Wait_FirstException_ReturnsWhenAFutureFaultsWhileOthersArePending()
    {
        var faulting = new Future<int>();
        var pending = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([faulting, pending], LongerThanUnexpected, ReturnWhen.FirstException));
        await AssertStillBlockedAsync(waiting);

        faulting.SetException(new InvalidOperationException());

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([faulting], result.Done);
        AssertSetEqual([pending], result.NotDone);
    }

    [Fact]
    public async Task Wait_FirstException_DoesNotReturnOnAResult()
    {
        var succeeding = new Future<int>();
        var faulting = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([succeeding, faulting], LongerThanUnexpected, ReturnWhen.FirstException));

        succeeding.SetResult(1);
        await AssertStillBlockedAsync(waiting);
        faulting.SetException(new InvalidOperationException());

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([succeeding, faulting], result.Done);
    }

    [Fact]
    public async Task Wait_FirstExceptionWhenNoneFaults_BehavesAsAllCompleted()
    {
        var first = new Future<int>();
        var second = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([first, second], LongerThanUnexpected, ReturnWhen.FirstException));

        first.SetResult(1);
        await AssertStillBlockedAsync(waiting);
        second.SetResult(2);

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([first, second], result.Done);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public async Task Wait_FirstExceptionWithAlreadyCanceled_DoesNotCountCancellationAsException()
    {
        Future<int> canceled = Canceled();
        var pending = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([canceled, pending], LongerThanUnexpected, ReturnWhen.FirstException));
        await AssertStillBlockedAsync(waiting);

        pending.SetResult(1);

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([canceled, pending], result.Done);
    }

    [Fact]
    public async Task Wait_FirstExceptionWithFutureCanceledWhileWaiting_DoesNotCountCancellationAsException()
    {
        var canceledLater = new Future<int>();
        var pending = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([canceledLater, pending], LongerThanUnexpected, ReturnWhen.FirstException));

        canceledLater.Cancel();
        await AssertStillBlockedAsync(waiting);
        pending.SetResult(1);

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([canceledLater, pending], result.Done);
    }

    [Fact]
    public async Task Wait_FutureCanceledWhileWaiting_CountsAsDoneAtOnce()
    {
        var future = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([future], LongerThanUnexpected, ReturnWhen.AllCompleted));
        await AssertStillBlockedAsync(waiting);

        future.Cancel();

        // DECISION: counted at Cancel(), without waiting for SetRunningOrNotifyCancel.
        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([future], result.Done);
    }

    [Fact]
    public void Wait_DuplicatesOfDoneFutures_AreReportedOnce()
    {
        Future<int> done = Finished(1);
        var pending = new Future<int>();

        DoneAndNotDone result = Futures.Wait([done, done, pending, pending], Timeout.InfiniteTimeSpan, ReturnWhen.FirstCompleted);

        Assert.Single(result.Done);
        Assert.Single(result.NotDone);
    }

    [Fact]
    public async Task Wait_DuplicatePendingFuture_CountsOnceSoAllCompletedReturns()
    {
        var future = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(
            () => Futures.Wait([future, future, future], LongerThanUnexpected, ReturnWhen.AllCompleted));

        future.SetResult(1);

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([future], result.Done);
        Assert.Empty(result.NotDone);
    }

    [Theory]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public void Wait_TimeoutPasses_ReturnsPartialSetsWithoutThrowing(ReturnWhen returnWhen)
    {
        Future<int> finished = Finished(1);
        var pending = new Future<int>();

        DoneAndNotDone result = Futures.Wait([finished, pending], TestTimeouts.Expected, returnWhen);

        AssertSetEqual([finished], result.Done);
        AssertSetEqual([pending], result.NotDone);
    }

    [Fact]
    public void Wait_FirstCompletedTimeoutPassesWithNoneDone_ReturnsAllAsNotDone()
    {
        var first = new Future<int>();
        var second = new Future<int>();

        DoneAndNotDone result = Futures.Wait([first, second], TestTimeouts.Expected, ReturnWhen.FirstCompleted);

        Assert.Empty(result.Done);
        AssertSetEqual([first, second], result.NotDone);
    }

    [Fact]
    public void Wait_ZeroTimeout_ReturnsSnapshotAtOnce()
    {
        Future<int> finished = Finished(1);
        var pending = new Future<int>();

        DoneAndNotDone result = Futures.Wait([finished, pending], TimeSpan.Zero);

        AssertSetEqual([finished], result.Done);
        AssertSetEqual([pending], result.NotDone);
    }

    [Fact]
    public async Task Wait_TimeoutLongerThanIntMaxValueMilliseconds_StillReturnsWhenFuturesDo()
    {
        var future = new Future<int>();
        Task<DoneAndNotDone> waiting = StartBlocking(() => Futures.Wait([future], TimeSpan.FromDays(60)));

        future.SetResult(1);

        DoneAndNotDone result = await waiting.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([future], result.Done);
    }

    [Fact]
    public void Wait_DefaultArguments_WaitsForAll()
    {
        Future<int> finished = Finished(1);
        Future<int> canceled = Canceled();

        DoneAndNotDone result = Futures.Wait([finished, canceled]);

        AssertSetEqual([finished, canceled], result.Done);
    }

    [Fact]
    public void Wait_NullSequence_ThrowsArgumentNullException()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => Futures.Wait(null!));

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void Wait_NullElement_ThrowsArgumentNullException()
    {
        Future<int> done = Finished(1);

        var ex = Assert.Throws<ArgumentNullException>(() => Futures.Wait([done, null!]));

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void Wait_UndefinedReturnWhen_ThrowsArgumentOutOfRangeException()
    {
        Future<int> done = Finished(1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Futures.Wait([done], null, (ReturnWhen)42));

        Assert.Equal("returnWhen", ex.ParamName);
    }

    [Fact]
    public void Wait_NegativeTimeout_ThrowsArgumentOutOfRangeException()
    {
        Future<int> done = Finished(1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Futures.Wait([done], TimeSpan.FromMilliseconds(-2)));

        Assert.Equal("timeout", ex.ParamName);
    }

    [Theory]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    [InlineData(ReturnWhen.AllCompleted)]
    public async Task WaitAsync_AllAlreadyDone_ReturnsCompletedTask(ReturnWhen returnWhen)
    {
        Future<int> finished = Finished(1);
        Future<int> faulted = Faulted();

        Task<DoneAndNotDone> task = Futures.WaitAsync([finished, faulted], Timeout.InfiniteTimeSpan, returnWhen);

        Assert.True(task.IsCompletedSuccessfully);
        DoneAndNotDone result = await task;
        AssertSetEqual([finished, faulted], result.Done);
    }

    [Fact]
    public async Task WaitAsync_FirstCompleted_CompletesWhenOneCompletes()
    {
        var first = new Future<int>();
        var second = new Future<int>();
        Task<DoneAndNotDone> task = Futures.WaitAsync([first, second], null, ReturnWhen.FirstCompleted);
        await AssertStillBlockedAsync(task);

        first.SetResult(1);

        DoneAndNotDone result = await task.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([first], result.Done);
        AssertSetEqual([second], result.NotDone);
    }

    [Fact]
    public async Task WaitAsync_FirstException_CompletesOnExceptionButNotOnCancellation()
    {
        var canceledLater = new Future<int>();
        var faulting = new Future<int>();
        var pending = new Future<int>();
        Task<DoneAndNotDone> task = Futures.WaitAsync([canceledLater, faulting, pending], null, ReturnWhen.FirstException);

        canceledLater.Cancel();
        await AssertStillBlockedAsync(task);
        faulting.SetException(new InvalidOperationException());

        DoneAndNotDone result = await task.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([canceledLater, faulting], result.Done);
        AssertSetEqual([pending], result.NotDone);
    }

    [Fact]
    public async Task WaitAsync_AllCompleted_CompletesWhenTheLastCompletes()
    {
        var first = new Future<int>();
        var second = new Future<int>();
        Task<DoneAndNotDone> task = Futures.WaitAsync([first, second, first]);

        first.SetResult(1);
        await AssertStillBlockedAsync(task);
        second.Cancel();

        DoneAndNotDone result = await task.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([first, second], result.Done);
        Assert.Empty(result.NotDone);
    }

    [Fact]
    public async Task WaitAsync_TimeoutPasses_ReturnsPartialSetsWithoutThrowing()
    {
        Future<int> finished = Finished(1);
        var pending = new Future<int>();

        DoneAndNotDone result = await Futures.WaitAsync([finished, pending], TestTimeouts.Expected, ReturnWhen.AllCompleted)
            .WaitAsync(TestTimeouts.Unexpected);

        AssertSetEqual([finished], result.Done);
        AssertSetEqual([pending], result.NotDone);
    }

    [Fact]
    public async Task WaitAsync_TimeoutLongerThanIntMaxValueMilliseconds_StillCompletesWhenFuturesDo()
    {
        var future = new Future<int>();
        Task<DoneAndNotDone> task = Futures.WaitAsync([future], TimeSpan.FromDays(60));

        future.SetResult(1);

        DoneAndNotDone result = await task.WaitAsync(TestTimeouts.Unexpected);
        AssertSetEqual([future], result.Done);
    }

    [Fact]
    public async Task WaitAsync_TokenCanceledWhileWaiting_ThrowsOperationCanceledException()
    {
        var pending = new Future<int>();
        using var cts = new CancellationTokenSource();
        Task<DoneAndNotDone> task = Futures.WaitAsync([pending], null, ReturnWhen.AllCompleted, cts.Token);
        await AssertStillBlockedAsync(task);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TestTimeouts.Unexpected));
        Assert.Equal(FutureState.Pending, pending.State);
    }

    [Fact]
    public async Task WaitAsync_TokenCanceledBeforeTheCall_ThrowsOperationCanceledException()
    {
        var pending = new Future<int>();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Task<DoneAndNotDone> task = Futures.WaitAsync([pending], null, ReturnWhen.AllCompleted, cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public void WaitAsync_NullSequence_ThrowsSynchronously()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => { _ = Futures.WaitAsync(null!); });

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void WaitAsync_NullElement_ThrowsSynchronously()
    {
        var pending = new Future<int>();

        var ex = Assert.Throws<ArgumentNullException>(() => { _ = Futures.WaitAsync([pending, null!]); });

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void WaitAsync_UndefinedReturnWhen_ThrowsSynchronously()
    {
        var pending = new Future<int>();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Futures.WaitAsync([pending], null, (ReturnWhen)(-1)); });

        Assert.Equal("returnWhen", ex.ParamName);
    }

    [Fact]
    public void WaitAsync_NegativeTimeout_ThrowsSynchronously()
    {
        var pending = new Future<int>();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Futures.WaitAsync([pending], TimeSpan.FromSeconds(-1)); });

        Assert.Equal("timeout", ex.ParamName);
    }

    private static Future<int> Finished(int result)
    {
        var future = new Future<int>();
        future.SetResult(result);
        return future;
    }

    private static Future<int> Faulted()
    {
        var future = new Future<int>();
        future.SetException(new InvalidOperationException("work failed"));
        return future;
    }

    private static Future<int> Canceled()
    {
        var future = new Future<int>();
        future.Cancel();
        return future;
    }

    private static void AssertSetEqual(IEnumerable<Future> expected, IReadOnlySet<Future> actual)
    {
        Assert.Equal(expected.Count(), actual.Count);
        Assert.All(expected, f => Assert.Contains(f, actual));
    }

    /// <summary>Runs a blocking call on a dedicated thread, so that blocked tests do not starve the thread pool.</summary>
    private static Task<T> StartBlocking<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task AssertStillBlockedAsync(Task task)
    {
        Task first = await Task.WhenAny(task, Task.Delay(TestTimeouts.Expected));
        Assert.NotSame(task, first);
    }
}
