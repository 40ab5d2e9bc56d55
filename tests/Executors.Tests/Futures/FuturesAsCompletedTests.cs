using Executors.Tests.TestUtilities;

namespace Executors.Tests.FuturesTests;

// This namespace hides the static class Executors.Futures; the alias brings it back.

public class FuturesAsCompletedTests
{
    /// <summary>
    /// The timeout given to an enumeration that must finish because its futures complete: longer
    /// than the test's own bound, so that an enumeration that only ended on its timeout fails the test.
    /// </summary>
    private static TimeSpan LongerThanUnexpected =>
        TestTimeouts.Unexpected == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TestTimeouts.Unexpected * 2;

    [Fact]
    public void AsCompleted_AllAlreadyDone_YieldsThemInInputOrder()
    {
        Future<int> finished = Finished(1);
        Future<int> canceled = Canceled();
        Future<int> faulted = Faulted();

        List<Future<int>> yielded = Futures.AsCompleted([faulted, finished, canceled], Timeout.InfiniteTimeSpan).ToList();

        Assert.Equal([faulted, finished, canceled], yielded);
    }

    [Fact]
    public void AsCompleted_Empty_YieldsNothing()
    {
        List<Future<int>> yielded = Futures.AsCompleted(Array.Empty<Future<int>>(), TimeSpan.Zero).ToList();

        Assert.Empty(yielded);
    }

    [Fact]
    public void AsCompleted_MixedInput_YieldsDoneOnesFirstThenInCompletionOrder()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        var c = new Future<int>();
        Future<int> d = Finished(4);
        Future<int> e = Canceled();
        using IEnumerator<Future<int>> enumerator = Futures.AsCompleted([a, d, b, e, c], LongerThanUnexpected).GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Future<int> first = enumerator.Current;

        // The first MoveNext has registered the pending futures; complete them out of input order.
        c.SetResult(3);
        a.SetException(new InvalidOperationException());
        b.Cancel();
        var rest = new List<Future<int>>();
        while (enumerator.MoveNext())
        {
            rest.Add(enumerator.Current);
        }

        Assert.Same(d, first);
        Assert.Equal([e, c, a, b], rest);
    }

    [Fact]
    public async Task AsCompleted_FuturesCompletedByAnotherThreadWhileEnumerating_AreYieldedInCompletionOrder()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        Future<int> done = Finished(0);
        using var firstYielded = new ManualResetEventSlim();
        Task<List<Future<int>>> consumer = StartBlocking(() =>
        {
            var order = new List<Future<int>>();
            foreach (Future<int> future in Futures.AsCompleted([a, done, b], LongerThanUnexpected))
            {
                order.Add(future);
                firstYielded.Set();
            }

            return order;
        });
        try
        {
            Assert.True(firstYielded.Wait(TestTimeouts.Unexpected));

            b.SetResult(2);
            a.SetResult(1);

            List<Future<int>> order = await consumer.WaitAsync(TestTimeouts.Unexpected);
            Assert.Equal([done, b, a], order);
        }
        finally
        {
            // Lets the consumer finish if an assertion above failed first.
            a.Cancel();
            b.Cancel();
        }
    }

    [Fact]
    public void AsCompleted_Duplicates_YieldsEachDistinctFutureOnce()
    {
        Future<int> done = Finished(1);
        var pending = new Future<int>();
        using IEnumerator<Future<int>> enumerator = Futures.AsCompleted([done, pending, done, pending, pending], LongerThanUnexpected).GetEnumerator();
        var yielded = new List<Future<int>>();
        Assert.True(enumerator.MoveNext());
        yielded.Add(enumerator.Current);

        pending.SetResult(2);
        while (enumerator.MoveNext())
        {
            yielded.Add(enumerator.Current);
        }

        Assert.Equal([done, pending], yielded);
    }

    [Fact]
    public void AsCompleted_TimeoutPasses_EnumerationThrowsTimeoutExceptionAfterTheDoneOnes()
    {
        Future<int> done = Finished(1);
        var pending = new Future<int>();
        IEnumerable<Future<int>> sequence = Futures.AsCompleted([pending, done], TestTimeouts.Expected);
        var yielded = new List<Future<int>>();

        Exception? ex = Record.Exception(() =>
        {
            foreach (Future<int> future in sequence)
            {
                yielded.Add(future);
            }
        });

        Assert.IsType<TimeoutException>(ex);
        Assert.Equal([done], yielded);
    }

    [Fact]
    public void AsCompleted_ShortTimeout_DoesNotThrowFromTheCall()
    {
        var pending = new Future<int>();

        Exception? ex = Record.Exception(() => Futures.AsCompleted([pending], TimeSpan.Zero));

        Assert.Null(ex);
    }

    [Fact]
    public void AsCompleted_ZeroTimeoutWithAllDone_YieldsAllWithoutThrowing()
    {
        Future<int> first = Finished(1);
        Future<int> second = Canceled();

        List<Future<int>> yielded = Futures.AsCompleted([first, second], TimeSpan.Zero).ToList();

        Assert.Equal([first, second], yielded);
    }

    [Fact]
    public void AsCompleted_TimeoutLongerThanIntMaxValueMilliseconds_YieldsWhenFuturesComplete()
    {
        var pending = new Future<int>();
        using IEnumerator<Future<int>> enumerator = Futures.AsCompleted([pending], TimeSpan.FromDays(60)).GetEnumerator();
        pending.SetResult(1);

        bool moved = enumerator.MoveNext();

        Assert.True(moved);
        Assert.Same(pending, enumerator.Current);
    }

    [Fact]
    public void AsCompleted_NullSequence_ThrowsAtTheCall()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => Futures.AsCompleted<Future<int>>(null!));

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void AsCompleted_NullElement_ThrowsAtTheCall()
    {
        var pending = new Future<int>();

        var ex = Assert.Throws<ArgumentNullException>(() => Futures.AsCompleted([pending, null!]));

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void AsCompleted_NegativeTimeout_ThrowsAtTheCall()
    {
        var pending = new Future<int>();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Futures.AsCompleted([pending], TimeSpan.FromMilliseconds(-2)));

        Assert.Equal("timeout", ex.ParamName);
    }

    [Fact]
    public void AsCompleted_EarlyBreak_UnregistersSoLaterCompletionAndWaitsWork()
    {
        Future<int> done = Finished(1);
        var pending = new Future<int>();
        Future<int>? firstYielded = null;
        foreach (Future<int> future in Futures.AsCompleted([done, pending], LongerThanUnexpected))
        {
            firstYielded = future;
            break;
        }

        Exception? ex = Record.Exception(() => pending.SetResult(2));

        Assert.Null(ex);
        Assert.Same(done, firstYielded);
        DoneAndNotDone waited = Futures.Wait([pending], TimeSpan.Zero);
        Assert.Contains(pending, waited.Done);
        Assert.Equal([done, pending], Futures.AsCompleted([done, pending], TimeSpan.Zero).ToList());
    }

    [Fact]
    public void AsCompleted_EarlyBreakAfterACompletedOne_LeavesTheOthersUsable()
    {
        var first = new Future<int>();
        var second = new Future<int>();
        using (IEnumerator<Future<int>> enumerator = Futures.AsCompleted([first, second], LongerThanUnexpected).GetEnumerator())
        {
            Task<bool> moved = StartBlocking(enumerator.MoveNext);
            first.SetResult(1);
            Assert.True(moved.Wait(TestTimeouts.Unexpected));
            Assert.Same(first, enumerator.Current);
        }

        second.Cancel();

        Assert.Equal([second], Futures.AsCompleted([second], TimeSpan.Zero).ToList());
        Assert.True(second.IsCanceled);
    }

    [Fact]
    public async Task AsCompletedAsync_MixedInput_YieldsDoneOnesFirstThenInCompletionOrder()
    {
        var a = new Future<int>();
        var b = new Future<int>();
        Future<int> done = Finished(0);
        await using IAsyncEnumerator<Future<int>> enumerator = Futures.AsCompletedAsync([a, done, b], LongerThanUnexpected).GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(TestTimeouts.Unexpected));
        Future<int> first = enumerator.Current;

        b.SetResult(2);
        a.SetResult(1);
        var rest = new List<Future<int>>();
        while (await enumerator.MoveNextAsync().AsTask().WaitAsync(TestTimeouts.Unexpected))
        {
            rest.Add(enumerator.Current);
        }

        Assert.Same(done, first);
        Assert.Equal([b, a], rest);
    }

    [Fact]
    public async Task AsCompletedAsync_FutureCompletedWhileAwaiting_IsYielded()
    {
        var pending = new Future<int>();
        await using IAsyncEnumerator<Future<int>> enumerator = Futures.AsCompletedAsync([pending, pending]).GetAsyncEnumerator();
        Task<bool> moving = enumerator.MoveNextAsync().AsTask();
        await AssertStillBlockedAsync(moving);

        pending.Cancel();

        Assert.True(await moving.WaitAsync(TestTimeouts.Unexpected));
        Assert.Same(pending, enumerator.Current);
        Assert.False(await enumerator.MoveNextAsync().AsTask().WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task AsCompletedAsync_TimeoutPasses_EnumerationThrowsTimeoutExceptionAfterTheDoneOnes()
    {
        Future<int> done = Finished(1);
        var pending = new Future<int>();
        IAsyncEnumerable<Future<int>> sequence = Futures.AsCompletedAsync([pending, done], TestTimeouts.Expected);
        var yielded = new List<Future<int>>();

        async Task EnumerateAsync()
        {
            await foreach (Future<int> future in sequence)
            {
                yielded.Add(future);
            }
        }

        await Assert.ThrowsAsync<TimeoutException>(() => EnumerateAsync().WaitAsync(TestTimeouts.Unexpected));
        Assert.Equal([done], yielded);
    }

    [Fact]
    public async Task AsCompletedAsync_TokenCanceledWhileAwaiting_ThrowsOperationCanceledException()
    {
        var pending = new Future<int>();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<Future<int>> enumerator = Futures.AsCompletedAsync([pending], null, cts.Token).GetAsyncEnumerator();
        Task<bool> moving = enumerator.MoveNextAsync().AsTask();
        await AssertStillBlockedAsync(moving);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => moving.WaitAsync(TestTimeouts.Unexpected));
        Assert.Equal(FutureState.Pending, pending.State);
    }

    [Fact]
    public async Task AsCompletedAsync_TokenFromWithCancellation_IsHonoured()
    {
        var pending = new Future<int>();
        using var cts = new CancellationTokenSource();
        var yielded = new List<Future<int>>();

        async Task EnumerateAsync()
        {
            await foreach (Future<int> future in Futures.AsCompletedAsync([pending]).WithCancellation(cts.Token))
            {
                yielded.Add(future);
            }
        }

        Task enumerating = EnumerateAsync();
        await AssertStillBlockedAsync(enumerating);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enumerating.WaitAsync(TestTimeouts.Unexpected));
        Assert.Empty(yielded);
    }

    [Fact]
    public async Task AsCompletedAsync_TokenCanceledBeforeEnumeration_ThrowsEvenForDoneFutures()
    {
        Future<int> done = Finished(1);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        IAsyncEnumerable<Future<int>> sequence = Futures.AsCompletedAsync([done], null, cts.Token);

        await using IAsyncEnumerator<Future<int>> enumerator = sequence.GetAsyncEnumerator();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enumerator.MoveNextAsync().AsTask().WaitAsync(TestTimeouts.Unexpected));
    }

    [Fact]
    public async Task AsCompletedAsync_TimeoutLongerThanIntMaxValueMilliseconds_YieldsWhenFuturesComplete()
    {
        var pending = new Future<int>();
        await using IAsyncEnumerator<Future<int>> enumerator = Futures.AsCompletedAsync([pending], TimeSpan.FromDays(60)).GetAsyncEnumerator();
        Task<bool> moving = enumerator.MoveNextAsync().AsTask();

        pending.SetResult(1);

        Assert.True(await moving.WaitAsync(TestTimeouts.Unexpected));
        Assert.Same(pending, enumerator.Current);
    }

    [Fact]
    public void AsCompletedAsync_NullSequence_ThrowsAtTheCall()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => Futures.AsCompletedAsync<Future<int>>(null!));

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void AsCompletedAsync_NullElement_ThrowsAtTheCall()
    {
        var pending = new Future<int>();

        var ex = Assert.Throws<ArgumentNullException>(() => Futures.AsCompletedAsync([pending, null!]));

        Assert.Equal("futures", ex.ParamName);
    }

    [Fact]
    public void AsCompletedAsync_NegativeTimeout_ThrowsAtTheCall()
    {
        var pending = new Future<int>();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Futures.AsCompletedAsync([pending], TimeSpan.FromSeconds(-1)));

        Assert.Equal("timeout", ex.ParamName);
    }

    [Fact]
    public async Task AsCompletedAsync_EarlyBreak_UnregistersSoLaterCompletionAndWaitsWork()
    {
        Future<int> done = Finished(1);
        var pending = new Future<int>();
        Future<int>? firstYielded = null;
        await foreach (Future<int> future in Futures.AsCompletedAsync([done, pending], LongerThanUnexpected))
        {
            firstYielded = future;
            break;
        }

        Exception? ex = Record.Exception(() => pending.SetResult(2));

        Assert.Null(ex);
        Assert.Same(done, firstYielded);
        DoneAndNotDone waited = await Futures.WaitAsync([pending], TimeSpan.Zero).WaitAsync(TestTimeouts.Unexpected);
        Assert.Contains(pending, waited.Done);
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

    /// <summary>Runs a blocking call on a dedicated thread, so that blocked tests do not starve the thread pool.</summary>
    private static Task<T> StartBlocking<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task AssertStillBlockedAsync(Task task)
    {
        Task first = await Task.WhenAny(task, Task.Delay(TestTimeouts.Expected));
        Assert.NotSame(task, first);
    }
}
