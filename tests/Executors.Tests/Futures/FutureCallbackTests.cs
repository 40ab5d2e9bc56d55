using System.Collections.Concurrent;
using Executors.Tests.TestUtilities;

namespace Executors.Tests.FuturesTests;

// This namespace hides the static class Executors.Futures; the alias brings it back.

public class FutureCallbackTests
{
    /// <summary>The ways a future becomes done.</summary>
    public enum Completion
    {
        SetResult,
        SetException,
        Cancel,
    }

    [Fact]
    public void AddDoneCallback_Pending_RunsOnceWhenDoneWithTheFuture()
    {
        var future = new Future<int>();
        var calls = new List<Future>();
        future.AddDoneCallback(calls.Add);
        Assert.Empty(calls);

        future.SetResult(1);

        Future called = Assert.Single(calls);
        Assert.Same(future, called);
    }

    [Fact]
    public void AddDoneCallback_AfterCompletion_LaterStateCallsDoNotRunItAgain()
    {
        var future = new Future<int>();
        int calls = 0;
        future.AddDoneCallback(_ => calls++);
        future.SetResult(1);

        future.Cancel();
        Assert.Throws<InvalidStateException>(() => future.SetResult(2));
        Assert.Throws<InvalidStateException>(() => future.SetException(new FormatException()));

        Assert.Equal(1, calls);
    }

    [Fact]
    public void AddDoneCallback_Several_RunInTheOrderAdded()
    {
        var future = new Future<int>();
        var order = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            int index = i;
            future.AddDoneCallback(_ => order.Add(index));
        }

        future.SetResult(1);

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public void AddDoneCallback_SameDelegateTwice_RunsTwice()
    {
        var future = new Future<int>();
        int calls = 0;
        void Callback(Future f) => calls++;
        future.AddDoneCallback(Callback);
        future.AddDoneCallback(Callback);

        future.SetResult(1);

        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData(Completion.SetResult)]
    [InlineData(Completion.SetException)]
    [InlineData(Completion.Cancel)]
    public void AddDoneCallback_Done_RunsImmediatelyOnCallersThread(Completion completion)
    {
        var future = new Future<int>();
        Complete(future, completion);
        int callerThread = Environment.CurrentManagedThreadId;
        int? callbackThread = null;

        future.AddDoneCallback(_ => callbackThread = Environment.CurrentManagedThreadId);

        Assert.Equal(callerThread, callbackThread);
    }

    [Theory]
    [InlineData(Completion.SetResult)]
    [InlineData(Completion.SetException)]
    [InlineData(Completion.Cancel)]
    public void AddDoneCallback_Pending_RunsOnEveryKindOfCompletionAndSeesTheDoneState(Completion completion)
    {
        var future = new Future<int>();
        FutureState? seen = null;
        future.AddDoneCallback(f => seen = f.State);

        Complete(future, completion);

        Assert.Equal(completion == Completion.Cancel ? FutureState.Canceled : FutureState.Finished, seen);
    }

    [Fact]
    public void AddDoneCallback_Cancel_RunsCallbacksBeforeCancelReturns()
    {
        var future = new Future<int>();
        bool ran = false;
        future.AddDoneCallback(_ => ran = true);

        bool canceled = future.Cancel();

        Assert.True(canceled);
        Assert.True(ran);
    }

    [Fact]
    public async Task AddDoneCallback_CompletedOnAnotherThread_RunsOnTheCompletingThread()
    {
        var future = new Future<int>();
        int callbackThread = -1;
        future.AddDoneCallback(_ => callbackThread = Environment.CurrentManagedThreadId);

        int completingThread = await StartBlocking(() =>
        {
            future.SetResult(1);
            return Environment.CurrentManagedThreadId;
        }).WaitAsync(TestTimeouts.Unexpected);

        Assert.Equal(completingThread, callbackThread);
    }

    [Fact]
    public void AddDoneCallback_Null_ThrowsArgumentNullException()
    {
        var future = new Future<int>();

        var ex = Assert.Throws<ArgumentNullException>(() => future.AddDoneCallback(null!));

        Assert.Equal("callback", ex.ParamName);
    }

    [Fact]
    public void AddDoneCallback_ThrowingCallback_DoesNotStopLaterCallbacks()
    {
        var future = new Future<int>();
        var order = new List<string>();
        future.AddDoneCallback(_ => order.Add("first"));
        future.AddDoneCallback(_ => throw new InvalidOperationException("callback failed"));
        future.AddDoneCallback(_ => order.Add("third"));

        future.SetResult(1);

        Assert.Equal(["first", "third"], order);
    }

    [Theory]
    [InlineData(Completion.SetResult)]
    [InlineData(Completion.SetException)]
    [InlineData(Completion.Cancel)]
    public void AddDoneCallback_ThrowingCallback_DoesNotReachTheCompleter(Completion completion)
    {
        var future = new Future<int>();
        future.AddDoneCallback(_ => throw new InvalidOperationException("callback failed"));

        Exception? ex = Record.Exception(() => Complete(future, completion));

        Assert.Null(ex);
        Assert.True(future.IsDone);
    }

    [Fact]
    public void AddDoneCallback_ThrowingCallback_IsReportedThroughCallbackFailed()
    {
        var future = new Future<int>();
        var thrown = new InvalidOperationException("callback failed");
        future.AddDoneCallback(_ => throw thrown);
        var reports = new ConcurrentQueue<(object? Sender, FutureCallbackFailedEventArgs Args)>();
        void Handler(object? sender, FutureCallbackFailedEventArgs e)
        {
            // Other test classes run in parallel and may report their own failures: keep only ours.
            if (ReferenceEquals(e.Future, future))
            {
                reports.Enqueue((sender, e));
            }
        }

        Futures.CallbackFailed += Handler;
        try
        {
            future.SetResult(1);
        }
        finally
        {
            Futures.CallbackFailed -= Handler;
        }

        (object? sender, FutureCallbackFailedEventArgs args) = Assert.Single(reports);
        Assert.Null(sender);
        Assert.Same(future, args.Future);
        Assert.Same(thrown, args.Exception);
    }

    [Fact]
    public void AddDoneCallback_ThrowingCallbackAddedAfterDone_IsReportedAndDoesNotReachTheCaller()
    {
        var future = new Future<int>();
        future.SetResult(1);
        var thrown = new InvalidOperationException("callback failed");
        var reports = new ConcurrentQueue<Exception>();
        void Handler(object? sender, FutureCallbackFailedEventArgs e)
        {
            if (ReferenceEquals(e.Future, future))
            {
                reports.Enqueue(e.Exception);
            }
        }

        Futures.CallbackFailed += Handler;
        Exception? ex;
        try
        {
            ex = Record.Exception(() => future.AddDoneCallback(_ => throw thrown));
        }
        finally
        {
            Futures.CallbackFailed -= Handler;
        }

        Assert.Null(ex);
        Assert.Same(thrown, Assert.Single(reports));
    }

    [Fact]
    public void AddDoneCallback_SeveralThrowingCallbacks_EachIsReportedInOrder()
    {
        var future = new Future<int>();
        var first = new InvalidOperationException("first");
        var second = new FormatException("second");
        future.AddDoneCallback(_ => throw first);
        future.AddDoneCallback(_ => throw second);
        var reports = new ConcurrentQueue<Exception>();
        void Handler(object? sender, FutureCallbackFailedEventArgs e)
        {
            if (ReferenceEquals(e.Future, future))
            {
                reports.Enqueue(e.Exception);
            }
        }

        Futures.CallbackFailed += Handler;
        try
        {
            future.Cancel();
        }
        finally
        {
            Futures.CallbackFailed -= Handler;
        }

        Assert.Equal<Exception>([first, second], reports);
    }

    [Fact]
    public async Task AddDoneCallback_CallbackCallsGetResult_DoesNotDeadlock()
    {
        var future = new Future<int>();
        int seen = 0;
        future.AddDoneCallback(f => seen = ((Future<int>)f).GetResult(TestTimeouts.Unexpected));

        await StartBlocking(() => future.SetResult(9)).WaitAsync(TestTimeouts.Unexpected);

        Assert.Equal(9, seen);
    }

    [Fact]
    public async Task AddDoneCallback_CallbackAddsAnotherCallback_InnerRunsAtOnceWithoutDeadlock()
    {
        var future = new Future<int>();
        var order = new List<string>();
        future.AddDoneCallback(f =>
        {
            order.Add("outer start");
            f.AddDoneCallback(_ => order.Add("inner"));
            order.Add("outer end");
        });
        future.AddDoneCallback(_ => order.Add("second"));

        await StartBlocking(() => future.SetResult(1)).WaitAsync(TestTimeouts.Unexpected);

        Assert.Equal(["outer start", "inner", "outer end", "second"], order);
    }

    [Theory]
    [InlineData(Completion.SetResult, false)]
    [InlineData(Completion.SetException, false)]
    [InlineData(Completion.Cancel, true)]
    public async Task AddDoneCallback_CallbackCallsCancel_DoesNotDeadlock(Completion completion, bool expectedCancel)
    {
        var future = new Future<int>();
        bool? canceled = null;
        future.AddDoneCallback(f => canceled = f.Cancel());

        await StartBlocking(() => Complete(future, completion)).WaitAsync(TestTimeouts.Unexpected);

        Assert.Equal(expectedCancel, canceled);
    }

    [Theory]
    [InlineData(Completion.SetResult)]
    [InlineData(Completion.SetException)]
    [InlineData(Completion.Cancel)]
    public async Task AddDoneCallback_CallbackCallsIntoFutureFromAnotherThreadAndJoinsIt_DoesNotDeadlock(Completion completion)
    {
        var future = new Future<int>();
        bool joined = false;
        bool innerCallbackRan = false;
        bool? cancelResult = null;
        bool taskCompleted = false;
        future.AddDoneCallback(f =>
        {
            // Every call below takes the future's lock if it needs it; were the lock held while this
            // callback runs, the other thread would block and the join would time out.
            var other = new Thread(() =>
            {
                f.AddDoneCallback(_ => innerCallbackRan = true);
                cancelResult = f.Cancel();
                taskCompleted = f.AsTask().IsCompleted;
            });
            other.Start();
            joined = other.Join(TestTimeouts.Unexpected);
        });

        await StartBlocking(() => Complete(future, completion)).WaitAsync(TestTimeouts.Unexpected);

        Assert.True(joined, "The callback's helper thread was blocked by the future.");
        Assert.True(innerCallbackRan);
        Assert.Equal(completion == Completion.Cancel, cancelResult);
        Assert.True(taskCompleted);
    }

    [Fact]
    public async Task AddDoneCallback_BlockingCallback_DoesNotDelayThreadsBlockedInGetResult()
    {
        var future = new Future<int>();
        using var releaseCallback = new ManualResetEventSlim();
        future.AddDoneCallback(_ => releaseCallback.Wait(TestTimeouts.Unexpected));
        Task<int> blockedReader = StartBlocking(() => future.GetResult(TestTimeouts.Unexpected));
        Task completer = Task.CompletedTask;
        try
        {
            completer = StartBlocking(() => future.SetResult(4));

            int result = await blockedReader.WaitAsync(TestTimeouts.Unexpected);

            Assert.Equal(4, result);
            Assert.False(completer.IsCompleted);
        }
        finally
        {
            releaseCallback.Set();
            await completer.WaitAsync(TestTimeouts.Unexpected);
        }
    }

    private static void Complete(Future<int> future, Completion completion)
    {
        switch (completion)
        {
            case Completion.SetResult:
                future.SetResult(1);
                break;
            case Completion.SetException:
                future.SetException(new InvalidOperationException("work failed"));
                break;
            default:
                Assert.True(future.Cancel());
                break;
        }
    }

    /// <summary>Runs a blocking call on a dedicated thread, so that the test can bound how long it waits for it.</summary>
    private static Task StartBlocking(Action call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task<T> StartBlocking<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
