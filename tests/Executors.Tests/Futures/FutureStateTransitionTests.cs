namespace Executors.Tests.FuturesTests;

/// <summary>
/// CPython's future state machine, transition by transition: Pending → Running → Finished,
/// Pending → Finished, Pending → Canceled, and every call that must leave a state alone.
/// </summary>
public class FutureStateTransitionTests
{
    /// <summary>The states a test can put a future in, including CPython's CANCELLED_AND_NOTIFIED and a faulted finish.</summary>
    public enum StartState
    {
        Pending,
        Running,
        Canceled,
        CanceledAndNotified,
        FinishedWithResult,
        FinishedWithException,
        RunningThenFinished,
    }

    public static TheoryData<StartState, FutureState, bool, bool, bool> StateProperties => new()
    {
        // start state, State, IsDone, IsRunning, IsCanceled
        { StartState.Pending, FutureState.Pending, false, false, false },
        { StartState.Running, FutureState.Running, false, true, false },
        { StartState.Canceled, FutureState.Canceled, true, false, true },
        { StartState.CanceledAndNotified, FutureState.Canceled, true, false, true },
        { StartState.FinishedWithResult, FutureState.Finished, true, false, false },
        { StartState.FinishedWithException, FutureState.Finished, true, false, false },
        { StartState.RunningThenFinished, FutureState.Finished, true, false, false },
    };

    public static TheoryData<StartState, bool, FutureState> CancelTransitions => new()
    {
        // start state, Cancel() returns, state afterwards
        { StartState.Pending, true, FutureState.Canceled },
        { StartState.Running, false, FutureState.Running },
        { StartState.Canceled, true, FutureState.Canceled },
        { StartState.CanceledAndNotified, true, FutureState.Canceled },
        { StartState.FinishedWithResult, false, FutureState.Finished },
        { StartState.FinishedWithException, false, FutureState.Finished },
        { StartState.RunningThenFinished, false, FutureState.Finished },
    };

    [Theory]
    [MemberData(nameof(StateProperties))]
    public void StateProperties_InEachState_AgreeWithState(
        StartState start,
        FutureState expectedState,
        bool expectedIsDone,
        bool expectedIsRunning,
        bool expectedIsCanceled)
    {
        Future<int> future = Create(start);

        FutureState state = future.State;

        Assert.Equal(expectedState, state);
        Assert.Equal(expectedIsDone, future.IsDone);
        Assert.Equal(expectedIsRunning, future.IsRunning);
        Assert.Equal(expectedIsCanceled, future.IsCanceled);
    }

    [Theory]
    [MemberData(nameof(CancelTransitions))]
    public void Cancel_InEachState_ReturnsExpectedAndMovesToExpectedState(StartState start, bool expectedReturn, FutureState expectedState)
    {
        Future<int> future = Create(start);

        bool canceled = future.Cancel();

        Assert.Equal(expectedReturn, canceled);
        Assert.Equal(expectedState, future.State);
    }

    [Fact]
    public void Cancel_CalledRepeatedly_KeepsReturningTrue()
    {
        var future = new Future<int>();
        future.Cancel();

        bool second = future.Cancel();
        bool third = future.Cancel();

        Assert.True(second);
        Assert.True(third);
        Assert.Equal(FutureState.Canceled, future.State);
    }

    [Fact]
    public void Cancel_Running_ReturnsFalseAndResultCanStillBeSet()
    {
        var future = new Future<int>();
        future.SetRunningOrNotifyCancel();

        bool canceled = future.Cancel();
        future.SetResult(3);

        Assert.False(canceled);
        Assert.Equal(3, future.GetResult());
    }

    [Fact]
    public void Cancel_FinishedWithResult_ReturnsFalseAndKeepsResult()
    {
        var future = new Future<int>();
        future.SetResult(3);

        bool canceled = future.Cancel();

        Assert.False(canceled);
        Assert.Equal(3, future.GetResult());
    }

    [Fact]
    public void Cancel_FinishedWithException_ReturnsFalseAndKeepsException()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException();
        future.SetException(original);

        bool canceled = future.Cancel();

        Assert.False(canceled);
        Assert.Same(original, future.GetException());
    }

    [Fact]
    public void SetRunningOrNotifyCancel_Pending_ReturnsTrueAndMovesToRunning()
    {
        var future = new Future<int>();

        bool started = future.SetRunningOrNotifyCancel();

        Assert.True(started);
        Assert.Equal(FutureState.Running, future.State);
        Assert.True(future.IsRunning);
        Assert.False(future.IsDone);
    }

    [Fact]
    public void SetRunningOrNotifyCancel_Canceled_ReturnsFalseEveryTime()
    {
        var future = new Future<int>();
        future.Cancel();

        bool first = future.SetRunningOrNotifyCancel();
        bool second = future.SetRunningOrNotifyCancel();
        bool third = future.SetRunningOrNotifyCancel();

        Assert.False(first);
        Assert.False(second);
        Assert.False(third);
        Assert.Equal(FutureState.Canceled, future.State);
    }

    [Theory]
    [InlineData(StartState.Running)]
    [InlineData(StartState.FinishedWithResult)]
    [InlineData(StartState.FinishedWithException)]
    [InlineData(StartState.RunningThenFinished)]
    public void SetRunningOrNotifyCancel_RunningOrFinished_ThrowsInvalidStateExceptionAndKeepsState(StartState start)
    {
        Future<int> future = Create(start);
        FutureState before = future.State;

        var ex = Assert.Throws<InvalidStateException>(() => future.SetRunningOrNotifyCancel());

        Assert.Contains(before.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, future.State);
    }

    [Fact]
    public void SetResult_Running_MovesToFinished()
    {
        Future<int> future = Create(StartState.Running);

        future.SetResult(1);

        Assert.Equal(FutureState.Finished, future.State);
        Assert.False(future.IsRunning);
        Assert.True(future.IsDone);
    }

    [Fact]
    public void SetException_Running_MovesToFinished()
    {
        Future<int> future = Create(StartState.Running);

        future.SetException(new InvalidOperationException());

        Assert.Equal(FutureState.Finished, future.State);
        Assert.False(future.IsRunning);
        Assert.True(future.IsDone);
    }

    [Theory]
    [InlineData(StartState.Canceled)]
    [InlineData(StartState.CanceledAndNotified)]
    [InlineData(StartState.FinishedWithResult)]
    [InlineData(StartState.FinishedWithException)]
    [InlineData(StartState.RunningThenFinished)]
    public void SetResult_Done_ThrowsInvalidStateExceptionAndKeepsState(StartState start)
    {
        Future<int> future = Create(start);
        FutureState before = future.State;

        Assert.Throws<InvalidStateException>(() => future.SetResult(2));

        Assert.Equal(before, future.State);
    }

    [Theory]
    [InlineData(StartState.Canceled)]
    [InlineData(StartState.CanceledAndNotified)]
    [InlineData(StartState.FinishedWithResult)]
    [InlineData(StartState.FinishedWithException)]
    [InlineData(StartState.RunningThenFinished)]
    public void SetException_Done_ThrowsInvalidStateExceptionAndKeepsState(StartState start)
    {
        Future<int> future = Create(start);
        FutureState before = future.State;

        Assert.Throws<InvalidStateException>(() => future.SetException(new FormatException()));

        Assert.Equal(before, future.State);
    }

    [Fact]
    public void FutureState_DoneStates_AreOrderedAfterNotDoneStates()
    {
        FutureState[] states = Enum.GetValues<FutureState>();

        Assert.Equal([FutureState.Pending, FutureState.Running, FutureState.Canceled, FutureState.Finished], states);
    }

    private static Future<int> Create(StartState start)
    {
        var future = new Future<int>();
        switch (start)
        {
            case StartState.Pending:
                break;
            case StartState.Running:
                Assert.True(future.SetRunningOrNotifyCancel());
                break;
            case StartState.Canceled:
                Assert.True(future.Cancel());
                break;
            case StartState.CanceledAndNotified:
                Assert.True(future.Cancel());
                Assert.False(future.SetRunningOrNotifyCancel());
                break;
            case StartState.FinishedWithResult:
                future.SetResult(1);
                break;
            case StartState.FinishedWithException:
                future.SetException(new InvalidOperationException());
                break;
            case StartState.RunningThenFinished:
                Assert.True(future.SetRunningOrNotifyCancel());
                future.SetResult(1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(start));
        }

        return future;
    }
}
