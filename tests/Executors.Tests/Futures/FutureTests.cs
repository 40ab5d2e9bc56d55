using System.Runtime.CompilerServices;
using Executors.Tests.TestUtilities;

namespace Executors.Tests.FuturesTests;

public class FutureTests
{
    [Fact]
    public void GetResult_Finished_ReturnsResult()
    {
        var future = new Future<string>();
        future.SetResult("value");

        string result = future.GetResult();

        Assert.Equal("value", result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Timeout.Infinite)]
    [InlineData(60_000)]
    public void GetResult_FinishedWithAnyValidTimeout_ReturnsResult(int timeoutMilliseconds)
    {
        var future = new Future<int>();
        future.SetResult(42);

        int result = future.GetResult(TimeSpan.FromMilliseconds(timeoutMilliseconds));

        Assert.Equal(42, result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    public void GetResult_PendingWhenTimeoutPasses_ThrowsTimeoutExceptionAndStaysPending(int timeoutMilliseconds)
    {
        var future = new Future<int>();

        Assert.Throws<TimeoutException>(() => future.GetResult(TimeSpan.FromMilliseconds(timeoutMilliseconds)));

        Assert.Equal(FutureState.Pending, future.State);
    }

    [Fact]
    public void GetResult_RunningWithShortTimeout_ThrowsTimeoutException()
    {
        var future = new Future<int>();
        future.SetRunningOrNotifyCancel();

        Assert.Throws<TimeoutException>(() => future.GetResult(TestTimeouts.Expected));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GetResult_NegativeTimeout_ThrowsArgumentOutOfRangeException(bool done)
    {
        var future = new Future<int>();
        if (done)
        {
            future.SetResult(1);
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => future.GetResult(TimeSpan.FromMilliseconds(-2)));

        Assert.Equal("timeout", ex.ParamName);
    }

    [Fact]
    public void GetResult_Faulted_RethrowsSameExceptionInstance()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException("boom");
        future.SetException(original);

        var thrown = Assert.Throws<InvalidOperationException>(() => future.GetResult());

        Assert.Same(original, thrown);
    }

    [Fact]
    public void GetResult_FaultedWithThrownException_KeepsOriginalThrowSiteInStackTrace()
    {
        var future = new Future<int>();
        Exception original = CaptureThrownException();
        future.SetException(original);

        var thrown = Assert.Throws<InvalidOperationException>(() => future.GetResult(TestTimeouts.Unexpected));

        Assert.Same(original, thrown);
        Assert.Contains(nameof(ThrowFromOriginalSite), thrown.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void GetResult_CalledTwiceOnFaulted_RethrowsSameInstanceBothTimes()
    {
        var future = new Future<int>();
        Exception original = CaptureThrownException();
        future.SetException(original);

        var first = Assert.Throws<InvalidOperationException>(() => future.GetResult());
        var second = Assert.Throws<InvalidOperationException>(() => future.GetResult());

        Assert.Same(original, first);
        Assert.Same(original, second);
        Assert.Contains(nameof(ThrowFromOriginalSite), second.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void GetResult_Canceled_ThrowsOperationCanceledException()
    {
        var future = new Future<int>();
        future.Cancel();

        Assert.Throws<OperationCanceledException>(() => future.GetResult());
        Assert.Throws<OperationCanceledException>(() => future.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void GetException_FinishedWithResult_ReturnsNull()
    {
        var future = new Future<int>();
        future.SetResult(1);

        Exception? exception = future.GetException();

        Assert.Null(exception);
    }

    [Fact]
    public void GetException_Faulted_ReturnsSameInstanceWithoutThrowing()
    {
        var future = new Future<int>();
        var original = new FormatException("bad");
        future.SetException(original);

        Exception? exception = future.GetException(TestTimeouts.Unexpected);

        Assert.Same(original, exception);
    }

    [Fact]
    public void GetException_Canceled_ThrowsOperationCanceledException()
    {
        var future = new Future<int>();
        future.Cancel();

        Assert.Throws<OperationCanceledException>(() => future.GetException());
        Assert.Throws<OperationCanceledException>(() => future.GetException(TestTimeouts.Unexpected));
    }

    [Fact]
    public void GetException_PendingWithShortTimeout_ThrowsTimeoutException()
    {
        var future = new Future<int>();

        Assert.Throws<TimeoutException>(() => future.GetException(TestTimeouts.Expected));
    }

    [Fact]
    public void GetException_NegativeTimeout_ThrowsArgumentOutOfRangeException()
    {
        var future = new Future<int>();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => future.GetException(TimeSpan.FromSeconds(-1)));

        Assert.Equal("timeout", ex.ParamName);
    }

    [Fact]
    public void SetResult_Pending_FinishesWithResult()
    {
        var future = new Future<int>();

        future.SetResult(7);

        Assert.Equal(FutureState.Finished, future.State);
        Assert.Equal(7, future.GetResult());
        Assert.Null(future.GetException());
    }

    [Fact]
    public void SetException_Pending_FinishesWithException()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException();

        future.SetException(original);

        Assert.Equal(FutureState.Finished, future.State);
        Assert.Same(original, future.GetException());
    }

    [Fact]
    public void SetException_Null_ThrowsArgumentNullExceptionAndLeavesFuturePending()
    {
        var future = new Future<int>();

        var ex = Assert.Throws<ArgumentNullException>(() => future.SetException(null!));

        Assert.Equal("exception", ex.ParamName);
        Assert.Equal(FutureState.Pending, future.State);
    }

    [Theory]
    [InlineData(DoneOutcome.Result)]
    [InlineData(DoneOutcome.Exception)]
    [InlineData(DoneOutcome.Canceled)]
    public void SetResult_Done_ThrowsInvalidStateExceptionAndKeepsOutcome(DoneOutcome outcome)
    {
        Future<int> future = CreateDone(outcome);
        FutureState before = future.State;
        Exception? exceptionBefore = outcome == DoneOutcome.Canceled ? null : future.GetException();

        Assert.Throws<InvalidStateException>(() => future.SetResult(99));

        Assert.Equal(before, future.State);
        AssertOutcome(future, outcome, exceptionBefore);
    }

    [Theory]
    [InlineData(DoneOutcome.Result)]
    [InlineData(DoneOutcome.Exception)]
    [InlineData(DoneOutcome.Canceled)]
    public void SetException_Done_ThrowsInvalidStateExceptionAndKeepsOutcome(DoneOutcome outcome)
    {
        Future<int> future = CreateDone(outcome);
        FutureState before = future.State;
        Exception? exceptionBefore = outcome == DoneOutcome.Canceled ? null : future.GetException();

        Assert.Throws<InvalidStateException>(() => future.SetException(new FormatException()));

        Assert.Equal(before, future.State);
        AssertOutcome(future, outcome, exceptionBefore);
    }

    [Fact]
    public void InvalidStateException_Always_IsAnInvalidOperationException()
    {
        var future = new Future<int>();
        future.SetResult(1);

        Exception ex = Record.Exception(() => future.SetResult(2))!;

        Assert.IsAssignableFrom<InvalidOperationException>(ex);
        Assert.False(string.IsNullOrEmpty(ex.Message));
    }

    [Fact]
    public async Task GetResult_BlockedOnAnotherThread_IsReleasedBySetResult()
    {
        var future = new Future<int>();
        Task<int> blocked = StartBlocking(() => future.GetResult(TestTimeouts.Unexpected));
        await AssertStillBlockedAsync(blocked);

        future.SetResult(5);

        Assert.Equal(5, await blocked.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task GetResult_BlockedOnAnotherThread_IsReleasedBySetException()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException();
        Task<int> blocked = StartBlocking(() => future.GetResult(TestTimeouts.Unexpected));
        await AssertStillBlockedAsync(blocked);

        future.SetException(original);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => blocked.WaitAsync(TestTimeouts.Unexpected));
        Assert.Same(original, thrown);
    }

    [Fact]
    public async Task GetResult_BlockedOnAnotherThread_IsReleasedByCancel()
    {
        var future = new Future<int>();
        Task<int> blocked = StartBlocking(() => future.GetResult(TestTimeouts.Unexpected));
        await AssertStillBlockedAsync(blocked);

        future.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(() => blocked.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task GetException_BlockedOnAnotherThread_IsReleasedBySetException()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException();
        Task<Exception?> blocked = StartBlocking(() => future.GetException(TestTimeouts.Unexpected));
        await AssertStillBlockedAsync(blocked);

        future.SetException(original);

        Assert.Same(original, await blocked.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task GetResult_SeveralBlockedThreads_AllReleasedBySetResult()
    {
        var future = new Future<int>();
        Task<int>[] blocked = Enumerable.Range(0, 3)
            .Select(_ => StartBlocking(() => future.GetResult(TestTimeouts.Unexpected)))
            .ToArray();

        future.SetResult(3);

        int[] results = await Task.WhenAll(blocked).WaitAsync(TestTimeouts.Unexpected);
        Assert.All(results, r => Assert.Equal(3, r));
    }

    [Theory]
    [InlineData(FutureState.Pending)]
    [InlineData(FutureState.Running)]
    [InlineData(FutureState.Canceled)]
    [InlineData(FutureState.Finished)]
    public void ToString_InEachState_MentionsState(FutureState state)
    {
        var future = new Future<int>();
        switch (state)
        {
            case FutureState.Running:
                future.SetRunningOrNotifyCancel();
                break;
            case FutureState.Canceled:
                future.Cancel();
                break;
            case FutureState.Finished:
                future.SetResult(1);
                break;
        }

        string text = future.ToString();

        Assert.Contains(state.ToString(), text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Faulted_MentionsStateAndExceptionType()
    {
        var future = new Future<int>();
        future.SetException(new FormatException());

        string text = future.ToString();

        Assert.Contains("Finished", text, StringComparison.Ordinal);
        Assert.Contains(nameof(FormatException), text, StringComparison.Ordinal);
    }

    /// <summary>How a done future was completed.</summary>
    public enum DoneOutcome
    {
        Result,
        Exception,
        Canceled,
    }

    private static Future<int> CreateDone(DoneOutcome outcome)
    {
        var future = new Future<int>();
        switch (outcome)
        {
            case DoneOutcome.Result:
                future.SetResult(1);
                break;
            case DoneOutcome.Exception:
                future.SetException(new InvalidOperationException("first"));
                break;
            default:
                future.Cancel();
                break;
        }

        return future;
    }

    private static void AssertOutcome(Future<int> future, DoneOutcome outcome, Exception? exceptionBefore)
    {
        switch (outcome)
        {
            case DoneOutcome.Result:
                Assert.Equal(1, future.GetResult());
                break;
            case DoneOutcome.Exception:
                Assert.Same(exceptionBefore, future.GetException());
                break;
            default:
                Assert.True(future.IsCanceled);
                break;
        }
    }

    private static InvalidOperationException CaptureThrownException()
    {
        try
        {
            ThrowFromOriginalSite();
        }
        catch (InvalidOperationException ex)
        {
            return ex;
        }

        throw new InvalidOperationException("unreachable");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromOriginalSite() => throw new InvalidOperationException("thrown at the original site");

    /// <summary>Runs a blocking call on a dedicated thread, so that blocked tests do not starve the thread pool.</summary>
    private static Task<T> StartBlocking<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task AssertStillBlockedAsync(Task blocked)
    {
        Task first = await Task.WhenAny(blocked, Task.Delay(TestTimeouts.Expected));
        Assert.NotSame(blocked, first);
    }
}
