using Executors.Tests.TestUtilities;

namespace Executors.Tests.FuturesTests;

public class FutureAwaitTests
{
    [Fact]
    public async Task Await_PendingThenCompleted_ReturnsResult()
    {
        var future = new Future<int>();
        Task<int> awaiting = AwaitAsync(future);
        await AssertStillBlockedAsync(awaiting);

        future.SetResult(5);

        Assert.Equal(5, await awaiting.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task Await_Finished_CompletesSynchronouslyWithResult()
    {
        var future = new Future<string>();
        future.SetResult("done");

        Task<string> awaiting = AwaitAsync(future);

        Assert.True(awaiting.IsCompletedSuccessfully);
        Assert.Equal("done", await awaiting);
    }

    [Fact]
    public async Task Await_Faulted_ThrowsSameExceptionInstance()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException("boom");
        future.SetException(original);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => AwaitAsync(future));

        Assert.Same(original, thrown);
    }

    [Fact]
    public async Task Await_FaultedWhileAwaiting_ThrowsSameExceptionInstance()
    {
        var future = new Future<int>();
        var original = new FormatException("bad");
        Task<int> awaiting = AwaitAsync(future);

        future.SetException(original);

        var thrown = await Assert.ThrowsAsync<FormatException>(() => awaiting.WaitAsync(TestTimeouts.Unexpected));
        Assert.Same(original, thrown);
    }

    [Fact]
    public async Task Await_Canceled_ThrowsOperationCanceledException()
    {
        var future = new Future<int>();
        future.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AwaitAsync(future));
    }

    [Fact]
    public async Task Await_CanceledWhileAwaiting_ThrowsOperationCanceledException()
    {
        var future = new Future<int>();
        Task<int> awaiting = AwaitAsync(future);
        await AssertStillBlockedAsync(awaiting);

        future.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => awaiting.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task Await_ValueLessViewPendingThenCompleted_Completes()
    {
        var future = new Future<int>();
        Task awaiting = AwaitValueLessAsync(future);
        await AssertStillBlockedAsync(awaiting);

        future.SetResult(1);

        await awaiting.WaitAsync(TestTimeouts.Unexpected);
        Assert.True(awaiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Await_ValueLessViewFaulted_ThrowsSameExceptionInstance()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException();
        future.SetException(original);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => AwaitValueLessAsync(future));

        Assert.Same(original, thrown);
    }

    [Fact]
    public async Task Await_ValueLessViewCanceled_ThrowsOperationCanceledException()
    {
        var future = new Future<int>();
        future.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AwaitValueLessAsync(future));
    }

    [Fact]
    public void AsTask_CalledRepeatedly_ReturnsSameTypedTask()
    {
        var future = new Future<int>();

        Task<int> first = future.AsTask();
        Task<int> second = future.AsTask();
        Task valueLess = ((Future)future).AsTask();

        Assert.Same(first, second);
        Assert.Same(first, valueLess);
    }

    [Fact]
    public void AsTask_CalledAfterDone_ReturnsSameTaskEachTime()
    {
        var future = new Future<int>();
        future.SetResult(1);

        Task<int> first = future.AsTask();
        Task valueLess = ((Future)future).AsTask();

        Assert.Same(first, valueLess);
        Assert.Same(first, future.AsTask());
    }

    [Fact]
    public async Task AsTask_PendingThenFinished_RunsToCompletionWithResult()
    {
        var future = new Future<int>();
        Task<int> task = future.AsTask();
        Assert.False(task.IsCompleted);

        future.SetResult(8);

        Assert.Equal(8, await task.WaitAsync(TestTimeouts.Unexpected));
        Assert.Equal(TaskStatus.RanToCompletion, task.Status);
    }

    [Fact]
    public void AsTask_Finished_IsAlreadyCompleteWithResult()
    {
        var future = new Future<int>();
        future.SetResult(8);

        Task<int> task = future.AsTask();

        Assert.Equal(TaskStatus.RanToCompletion, task.Status);
        Assert.Equal(8, task.Result);
    }

    [Fact]
    public async Task AsTask_Faulted_IsFaultedWithSameExceptionInstance()
    {
        var future = new Future<int>();
        Task<int> task = future.AsTask();
        var original = new InvalidOperationException();

        future.SetException(original);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => task.WaitAsync(TestTimeouts.Unexpected));
        Assert.Same(original, thrown);
        Assert.True(task.IsFaulted);
        Assert.Same(original, task.Exception!.InnerException);
    }

    [Fact]
    public async Task AsTask_Canceled_IsCanceled()
    {
        var future = new Future<int>();
        Task<int> task = future.AsTask();

        future.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TestTimeouts.Unexpected));
        Assert.True(task.IsCanceled);
    }

    [Fact]
    public void AsTask_CanceledBeforeTheCall_IsCanceled()
    {
        var future = new Future<int>();
        future.Cancel();

        Task<int> task = future.AsTask();

        Assert.True(task.IsCanceled);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Await_CompletedOnDedicatedThread_ContinuationDoesNotRunInlineOnThatThread(bool configureAwaitFalse)
    {
        var future = new Future<int>();

        // Without a synchronization context an inline continuation would run on the completing thread.
        Task<int> resumedOn = WithoutSynchronizationContext(() => ResumeThreadIdAsync(future, configureAwaitFalse));
        int completingThread = CompleteOnDedicatedThread(future);

        int continuationThread = await resumedOn.WaitAsync(TestTimeouts.Unexpected);
        Assert.NotEqual(completingThread, continuationThread);
    }

    [Fact]
    public async Task SetResult_WithBlockingAwaitContinuation_ReturnsBeforeTheContinuationFinishes()
    {
        var future = new Future<int>();
        using var releaseContinuation = new ManualResetEventSlim();
        using var continuationFinished = new ManualResetEventSlim();
        Task awaiting = WithoutSynchronizationContext(
            () => AwaitThenBlockAsync(future, releaseContinuation, continuationFinished));
        try
        {
            // No context on the completing thread either: the runtime inlines continuations only there.
            WithoutSynchronizationContext(() => future.SetResult(1));

            Assert.False(continuationFinished.IsSet, "SetResult waited for the await continuation: it ran inline.");
        }
        finally
        {
            releaseContinuation.Set();
        }

        await awaiting.WaitAsync(TestTimeouts.Unexpected);
        Assert.True(continuationFinished.IsSet);
    }

    [Fact]
    public async Task AsTask_ExecuteSynchronouslyContinuation_DoesNotRunOnTheCompletingThread()
    {
        var future = new Future<int>();
        Task<int> continuation = future.AsTask().ContinueWith(
            _ => Environment.CurrentManagedThreadId,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        int completingThread = CompleteOnDedicatedThread(future);

        int continuationThread = await continuation.WaitAsync(TestTimeouts.Unexpected);
        Assert.NotEqual(completingThread, continuationThread);
    }

    [Fact]
    public async Task ConfigureAwait_False_ReturnsResultOnceCompleted()
    {
        var future = new Future<int>();
        Task<int> awaiting = AwaitConfiguredAsync(future, continueOnCapturedContext: false);
        await AssertStillBlockedAsync(awaiting);

        future.SetResult(11);

        Assert.Equal(11, await awaiting.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task ConfigureAwait_True_ReturnsResultOnceCompleted()
    {
        var future = new Future<int>();
        Task<int> awaiting = AwaitConfiguredAsync(future, continueOnCapturedContext: true);

        future.SetResult(12);

        Assert.Equal(12, await awaiting.WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task ConfigureAwait_FalseOnFaulted_ThrowsSameExceptionInstance()
    {
        var future = new Future<int>();
        var original = new InvalidOperationException();
        future.SetException(original);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => AwaitConfiguredAsync(future, continueOnCapturedContext: false));

        Assert.Same(original, thrown);
    }

    [Fact]
    public async Task ConfigureAwait_FalseOnValueLessView_CompletesOnceCompleted()
    {
        var future = new Future<int>();
        Future valueLess = future;
        Task awaiting = AwaitValueLessConfiguredAsync(valueLess);
        await AssertStillBlockedAsync(awaiting);

        future.SetResult(1);

        await awaiting.WaitAsync(TestTimeouts.Unexpected);
        Assert.True(awaiting.IsCompletedSuccessfully);
    }

    private static async Task<T> AwaitAsync<T>(Future<T> future) => await future;

    private static async Task AwaitValueLessAsync(Future future) => await future;

    private static async Task<T> AwaitConfiguredAsync<T>(Future<T> future, bool continueOnCapturedContext) =>
        await future.ConfigureAwait(continueOnCapturedContext);

    private static async Task AwaitValueLessConfiguredAsync(Future future) => await future.ConfigureAwait(false);

    private static async Task<int> ResumeThreadIdAsync(Future<int> future, bool configureAwaitFalse)
    {
        if (configureAwaitFalse)
        {
            await future.ConfigureAwait(false);
        }
        else
        {
            await future;
        }

        return Environment.CurrentManagedThreadId;
    }

    private static async Task AwaitThenBlockAsync(Future<int> future, ManualResetEventSlim release, ManualResetEventSlim finished)
    {
        await future;
        release.Wait(TestTimeouts.Unexpected);
        finished.Set();
    }

    /// <summary>Completes <paramref name="future"/> from a new thread and returns that thread's id.</summary>
    private static int CompleteOnDedicatedThread(Future<int> future)
    {
        int threadId = -1;
        var thread = new Thread(() =>
        {
            threadId = Environment.CurrentManagedThreadId;
            future.SetResult(1);
        });
        thread.Start();
        Assert.True(thread.Join(TestTimeouts.Unexpected), "The completing thread did not finish.");
        return threadId;
    }

    /// <summary>
    /// Starts <paramref name="start"/> with no synchronization context, so that its awaits capture
    /// none: the code runs up to its first await (registering the continuation) before this returns.
    /// </summary>
    private static T WithoutSynchronizationContext<T>(Func<T> start)
    {
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private static void WithoutSynchronizationContext(Action action) =>
        WithoutSynchronizationContext(() =>
        {
            action();
            return true;
        });

    private static async Task AssertStillBlockedAsync(Task task)
    {
        Task first = await Task.WhenAny(task, Task.Delay(TestTimeouts.Expected));
        Assert.NotSame(task, first);
    }
}
