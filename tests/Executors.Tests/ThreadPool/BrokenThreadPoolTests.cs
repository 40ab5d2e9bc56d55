using Executors.Tests.TestUtilities;

namespace Executors.Tests.ThreadPool;

/// <summary>
/// A <see cref="ThreadPoolExecutor"/> whose worker initializer throws is broken (CPython's
/// <c>BrokenThreadPool</c>): queued and later work fails with <see cref="BrokenThreadPoolException"/>
/// carrying the initializer's exception, and shutdown still works.
/// </summary>
public sealed class BrokenThreadPoolTests
{
    [Fact]
    public void Submit_InitializerThrows_FutureFailsWithBrokenThreadPoolExceptionWrappingIt()
    {
        var initializerError = new InvalidOperationException("initializer failed");
        using var executor = new ThreadPoolExecutor(maxWorkers: 1, initializer: () => throw initializerError);

        Future<int> future = executor.Submit(static () => 1);

        Exception? exception = future.GetException(TestTimeouts.Unexpected);
        BrokenThreadPoolException broken = Assert.IsType<BrokenThreadPoolException>(exception);
        Assert.Same(initializerError, broken.InnerException);
        Assert.IsType<BrokenThreadPoolException>(Record.Exception(() => future.GetResult(TimeSpan.Zero)));
    }

    [Fact]
    public void Submit_AfterPoolBroken_ThrowsBrokenThreadPoolException()
    {
        var initializerError = new InvalidOperationException("initializer failed");
        using var executor = new ThreadPoolExecutor(maxWorkers: 2, initializer: () => throw initializerError);
        Assert.IsType<BrokenThreadPoolException>(executor.Submit(static () => 1).GetException(TestTimeouts.Unexpected));

        Exception? func = Record.Exception(() => executor.Submit(static () => 2));
        Exception? action = Record.Exception(() => executor.Submit(static () => { }));
        Exception? map = Record.Exception(() => executor.Map(static (int x) => x, new[] { 1, 2 }));

        Assert.All(
            new[] { func, action, map },
            exception =>
            {
                BrokenThreadPoolException broken = Assert.IsType<BrokenThreadPoolException>(exception);
                Assert.Same(initializerError, broken.InnerException);
            });
    }

    [Fact]
    public void Submit_WorkQueuedWhenInitializerThrows_EveryQueuedFutureFails()
    {
        var initializerError = new InvalidOperationException("initializer failed");
        using var releaseInitializer = new ManualResetEventSlim();
        using var executor = new ThreadPoolExecutor(
            maxWorkers: 1,
            initializer: () =>
            {
                // Hold the only worker in its initializer until everything is queued behind it.
                releaseInitializer.Wait(TestTimeouts.Unexpected);
                throw initializerError;
            });
        Future<int>[] queued;
        try
        {
            queued = [.. Enumerable.Range(0, 5).Select(i => executor.Submit(static (int x) => x, i))];
        }
        finally
        {
            releaseInitializer.Set();
        }

        Exception?[] exceptions = [.. queued.Select(f => f.GetException(TestTimeouts.Unexpected))];

        Assert.All(
            exceptions,
            exception =>
            {
                BrokenThreadPoolException broken = Assert.IsType<BrokenThreadPoolException>(exception);
                Assert.Same(initializerError, broken.InnerException);
            });
    }

    [Fact]
    public void Submit_SecondWorkerInitializerThrows_TaskAlreadyRunningOnFirstWorkerStillFinishes()
    {
        var initializerError = new InvalidOperationException("second initializer failed");
        int initializations = 0;
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        using var executor = new ThreadPoolExecutor(
            maxWorkers: 2,
            initializer: () =>
            {
                if (Interlocked.Increment(ref initializations) == 2)
                {
                    throw initializerError;
                }
            });
        Future<int> running;
        Exception? queuedException;
        Exception? laterSubmit;
        try
        {
            running = executor.Submit(() =>
            {
                entered.Set();
                return release.Wait(TestTimeouts.Unexpected) ? 1 : throw new TimeoutException("Never released.");
            });
            Assert.True(entered.Wait(TestTimeouts.Unexpected));

            // No worker is idle, so this starts the second worker, whose initializer throws.
            Future<int> queued = executor.Submit(static () => 2);
            queuedException = queued.GetException(TestTimeouts.Unexpected);
            laterSubmit = Record.Exception(() => executor.Submit(static () => 3));
        }
        finally
        {
            release.Set();
        }

        Assert.Same(initializerError, Assert.IsType<BrokenThreadPoolException>(queuedException).InnerException);
        Assert.IsType<BrokenThreadPoolException>(laterSubmit);
        Assert.Equal(1, running.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Shutdown_AfterPoolBroken_ReturnsAndEveryWorkerHasExited()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: 2, initializer: static () => throw new InvalidOperationException("broken"));
        Assert.IsType<BrokenThreadPoolException>(executor.Submit(static () => 1).GetException(TestTimeouts.Unexpected));

        bool returned = Task.Run(() => executor.Shutdown(wait: true)).Wait(TestTimeouts.Unexpected);

        Assert.True(returned, "Shutdown(wait: true) on a broken pool should return.");
        Assert.Equal(0, executor.WorkerCount);
    }

    [Fact]
    public void Shutdown_CancelFuturesAfterPoolBroken_Returns()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: 1, initializer: static () => throw new InvalidOperationException("broken"));
        Assert.IsType<BrokenThreadPoolException>(executor.Submit(static () => 1).GetException(TestTimeouts.Unexpected));

        bool returned = Task.Run(() => executor.Shutdown(wait: true, cancelFutures: true)).Wait(TestTimeouts.Unexpected);

        Assert.True(returned);
        Assert.Equal(0, executor.WorkerCount);
    }

    [Fact]
    public async Task DisposeAsync_AfterPoolBroken_Completes()
    {
        var executor = new ThreadPoolExecutor(maxWorkers: 1, initializer: static () => throw new InvalidOperationException("broken"));
        try
        {
            Assert.IsType<BrokenThreadPoolException>(executor.Submit(static () => 1).GetException(TestTimeouts.Unexpected));

            Exception? exception = await Record.ExceptionAsync(() => executor.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Unexpected));

            Assert.Null(exception);
            Assert.Equal(0, executor.WorkerCount);
        }
        finally
        {
            executor.Dispose();
        }
    }
}
