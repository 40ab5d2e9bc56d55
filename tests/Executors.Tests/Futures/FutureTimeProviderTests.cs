using Executors.Tests.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Executors.Tests.FuturesTests;

/// <summary>
/// Timeouts measured by a caller's <see cref="TimeProvider"/>: with a <see cref="FakeTimeProvider"/> a
/// wait times out when, and only when, the test advances the fake clock past the timeout, however much
/// real time passes (docs/design/0006). A test that advances the clock first waits until the waiter has
/// read it (<see cref="ObservedFakeClock"/>), so that the waiter's deadline is fixed before the clock moves.
/// </summary>
public class FutureTimeProviderTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void GetResult_FakeClockAdvancedPastTimeout_ThrowsTimeoutException()
    {
        var clock = new ObservedFakeClock();
        var future = new Future<int>();
        Task<int> waiter = Task.Run(() => future.GetResult(s_timeout, clock));
        Assert.True(clock.WaitUntilRead(TestTimeouts.Unexpected));

        clock.Advance(s_timeout);

        var exception = Record.Exception(() => waiter.Wait(TestTimeouts.Unexpected));
        Assert.IsType<TimeoutException>(Assert.IsType<AggregateException>(exception).InnerException);
        Assert.False(future.IsDone);
    }

    [Fact]
    public void GetResult_FakeClockNotAdvanced_KeepsWaitingPastTheTimeoutInRealTime()
    {
        var clock = new ObservedFakeClock();
        var future = new Future<int>();

        // One millisecond of fake time: real time passes it many times over while the test waits below.
        Task<int> waiter = Task.Run(() => future.GetResult(TimeSpan.FromMilliseconds(1), clock));
        Assert.True(clock.WaitUntilRead(TestTimeouts.Unexpected));
        bool finishedWithoutClock = waiter.Wait(TestTimeouts.Expected);
        future.SetResult(42);

        Assert.False(finishedWithoutClock);
        Assert.True(waiter.Wait(TestTimeouts.Unexpected));
        Assert.Equal(42, waiter.Result);
    }

    [Fact]
    public void GetResult_FakeClockAdvancedShortOfTimeout_DoesNotTimeOut()
    {
        var clock = new ObservedFakeClock();
        var future = new Future<int>();
        Task<int> waiter = Task.Run(() => future.GetResult(s_timeout, clock));
        Assert.True(clock.WaitUntilRead(TestTimeouts.Unexpected));

        clock.Advance(s_timeout - TimeSpan.FromTicks(1));
        bool finishedEarly = waiter.Wait(TestTimeouts.Expected);
        future.SetResult(7);

        Assert.False(finishedEarly);
        Assert.True(waiter.Wait(TestTimeouts.Unexpected));
        Assert.Equal(7, waiter.Result);
    }

    [Fact]
    public void GetResult_ZeroTimeoutOnFakeClock_ThrowsAtOnceWhenNotDone()
    {
        var future = new Future<int>();

        Assert.Throws<TimeoutException>(() => future.GetResult(TimeSpan.Zero, new FakeTimeProvider()));
    }

    [Fact]
    public void GetResult_AlreadyDone_ReturnsWithoutLookingAtTheClock()
    {
        var future = new Future<int>();
        future.SetResult(3);

        Assert.Equal(3, future.GetResult(TimeSpan.Zero, new FakeTimeProvider()));
    }

    [Fact]
    public void GetResult_SystemTimeProvider_TimesOutInRealTime()
    {
        var future = new Future<int>();

        Assert.Throws<TimeoutException>(() => future.GetResult(TimeSpan.FromMilliseconds(20), TimeProvider.System));
    }

    [Fact]
    public void GetResult_NullTimeProvider_ThrowsArgumentNullException()
    {
        var future = new Future<int>();

        var exception = Assert.Throws<ArgumentNullException>(() => future.GetResult(s_timeout, null!));

        Assert.Equal("timeProvider", exception.ParamName);
    }

    [Fact]
    public void GetResult_NegativeTimeoutOnFakeClock_ThrowsArgumentOutOfRangeException()
    {
        var future = new Future<int>();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => future.GetResult(TimeSpan.FromSeconds(-2), new FakeTimeProvider()));

        Assert.Equal("timeout", exception.ParamName);
    }

    [Fact]
    public void GetException_FakeClockAdvancedPastTimeout_ThrowsTimeoutException()
    {
        var clock = new ObservedFakeClock();
        var future = new Future<int>();
        Task<Exception?> waiter = Task.Run(() => future.GetException(s_timeout, clock));
        Assert.True(clock.WaitUntilRead(TestTimeouts.Unexpected));

        clock.Advance(TimeSpan.FromSeconds(6));

        var exception = Record.Exception(() => waiter.Wait(TestTimeouts.Unexpected));
        Assert.IsType<TimeoutException>(Assert.IsType<AggregateException>(exception).InnerException);
    }

    [Fact]
    public void GetException_DoneBeforeFakeTimeout_ReturnsTheTaskException()
    {
        var clock = new ObservedFakeClock();
        var future = new Future<int>();
        Task<Exception?> waiter = Task.Run(() => future.GetException(s_timeout, clock));
        Assert.True(clock.WaitUntilRead(TestTimeouts.Unexpected));

        future.SetException(new InvalidOperationException("failed"));

        Assert.True(waiter.Wait(TestTimeouts.Unexpected));
        Assert.Equal("failed", Assert.IsType<InvalidOperationException>(waiter.Result).Message);
    }

    [Fact]
    public void Wait_FakeClockAdvancedPastTimeout_ReturnsWhatIsDone()
    {
        var clock = new ObservedFakeClock();
        var done = new Future<int>();
        done.SetResult(1);
        var pending = new Future<int>();
        Task<DoneAndNotDone> waiter = Task.Run(() => Futures.Wait([done, pending], s_timeout, ReturnWhen.AllCompleted, clock));
        Assert.True(clock.WaitUntilRead(TestTimeouts.Unexpected));
        bool returnedEarly = waiter.Wait(TestTimeouts.Expected);

        clock.Advance(s_timeout);

        Assert.False(returnedEarly);
        Assert.True(waiter.Wait(TestTimeouts.Unexpected));
        Assert.Same(done, Assert.Single(waiter.Result.Done));
        Assert.Same(pending, Assert.Single(waiter.Result.NotDone));
    }

    [Fact]
    public void Wait_FirstCompletedOnFakeClock_ReturnsWhenAFutureFinishes()
    {
        var clock = new ObservedFakeClock();
        var first = new Future<int>();
        var second = new Future<int>();
        Task<DoneAndNotDone> waiter = Task.Run(() => Futures.Wait([first, second], s_timeout, ReturnWhen.FirstCompleted, clock));

        second.SetResult(2);

        Assert.True(waiter.Wait(TestTimeouts.Unexpected));
        Assert.Same(second, Assert.Single(waiter.Result.Done));
    }

    [Fact]
    public void AsCompleted_FakeClockAdvancedPastTimeout_EnumerationThrowsTimeoutException()
    {
        var clock = new ObservedFakeClock();
        var done = new Future<int>();
        done.SetResult(1);
        var pending = new Future<int>();
        var yielded = new List<Future<int>>();
        Task enumeration = Task.Run(() =>
        {
            foreach (Future<int> future in Futures.AsCompleted([done, pending], s_timeout, clock))
            {
                yielded.Add(future);
            }
        });
        Assert.True(clock.WaitUntilRead(TestTimeouts.Unexpected));
        bool endedEarly = enumeration.Wait(TestTimeouts.Expected);

        clock.Advance(s_timeout);

        Assert.False(endedEarly);
        var exception = Record.Exception(() => enumeration.Wait(TestTimeouts.Unexpected));
        Assert.IsType<TimeoutException>(Assert.IsType<AggregateException>(exception).InnerException);
        Assert.Same(done, Assert.Single(yielded));
    }
}
