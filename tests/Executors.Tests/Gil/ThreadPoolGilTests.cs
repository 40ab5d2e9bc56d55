using Executors.Tests.TestUtilities;

namespace Executors.Tests.GilTests;

/// <summary>The thread pool with the GIL emulation on: E1 (workers hold the lock), E2 (per worker), E3 (no deadlock), E6 (off = no lock).</summary>
public sealed class ThreadPoolGilTests
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Disabled_TasksSeeNoLock_AndHelpersAreNoOps()
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2 });

        (GlobalInterpreterLock? current, bool released) = executor.Submit(() =>
        {
            Executors.Gil.Checkpoint();
            using GilReleaseScope scope = Executors.Gil.Release();
            return (Executors.Gil.Current, scope.ReleasedLock);
        }).GetResult(TestTimeouts.Unexpected);

        Assert.Equal(GilMode.Disabled, executor.GilMode);
        Assert.Null(executor.GilLock);
        Assert.Null(current);
        Assert.False(released);
    }

    [Fact]
    public void Emulated_TasksAndInitializerRunHoldingTheExecutorsLock()
    {
        bool initializerHeld = false;
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions
        {
            MaxWorkers = 2,
            GilMode = GilMode.Emulated,
            Initializer = () => initializerHeld = Executors.Gil.IsHeld,
        });

        GlobalInterpreterLock? seen = executor.Submit(() => Executors.Gil.IsHeld ? Executors.Gil.Current : null).GetResult(TestTimeouts.Unexpected);

        Assert.NotNull(executor.GilLock);
        Assert.Same(executor.GilLock, seen);
        Assert.True(initializerHeld);
    }

    [Fact]
    public void Emulated_DoneCallbacksRunHoldingTheLock()
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, GilMode = GilMode.Emulated });
        using var gate = new ManualResetEventSlim();
        var callbackHeld = new TaskCompletionSource<bool>();

        Future<int> future = executor.Submit(() =>
        {
            gate.Wait(TestTimeouts.Unexpected);
            return 1;
        });
        future.AddDoneCallback(_ => callbackHeld.SetResult(Executors.Gil.IsHeld));
        gate.Set();

        Assert.True(callbackHeld.Task.Wait(TestTimeouts.Unexpected));
        Assert.True(callbackHeld.Task.Result);
    }

    [Fact]
    public void Emulated_TwoTasksNeverHoldAtOnce_WhilePerWorkerTasksDo()
    {
        // Two tasks that meet at a barrier WITHOUT releasing the lock: only possible if they hold different locks.
        Assert.False(TwoTasksMeetHoldingTheirLocks(GilMode.Emulated, TimeSpan.FromMilliseconds(300)));
        Assert.True(TwoTasksMeetHoldingTheirLocks(GilMode.PerWorker, TestTimeouts.Unexpected));
    }

    [Fact]
    public void PerWorker_EachWorkerHasItsOwnLock_WithTheGivenOptions()
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions
        {
            MaxWorkers = 2,
            GilMode = GilMode.PerWorker,
            GilOptions = new GilOptions { SwitchInterval = TimeSpan.FromMilliseconds(3) },
        });
        using var barrier = new Barrier(2);

        Future<GlobalInterpreterLock?>[] futures = Enumerable.Range(0, 2).Select(_ => executor.Submit(() =>
        {
            Executors.Gil.WithoutGil(() => barrier.SignalAndWait(TestTimeouts.Unexpected));
            return Executors.Gil.Current;
        })).ToArray();
        GlobalInterpreterLock first = futures[0].GetResult(TestTimeouts.Unexpected)!;
        GlobalInterpreterLock second = futures[1].GetResult(TestTimeouts.Unexpected)!;

        Assert.Null(executor.GilLock);
        Assert.NotSame(first, second);
        Assert.Equal(TimeSpan.FromMilliseconds(3), first.SwitchInterval);

        // Setting one interpreter's interval leaves the other's alone (PEP 684: per-GIL interval).
        first.SwitchInterval = TimeSpan.FromMilliseconds(7);
        Assert.Equal(TimeSpan.FromMilliseconds(3), second.SwitchInterval);
    }

    [Fact]
    public void GilLock_SharedByTwoExecutors_IsOneInterpreter()
    {
        var gil = new GlobalInterpreterLock();
        using var first = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, GilMode = GilMode.Emulated, GilLock = gil });
        using var second = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, GilMode = GilMode.Emulated, GilLock = gil });

        Assert.Same(gil, first.Submit(() => Executors.Gil.Current).GetResult(TestTimeouts.Unexpected));
        Assert.Same(gil, second.Submit(() => Executors.Gil.Current).GetResult(TestTimeouts.Unexpected));
        Assert.Same(gil, first.GilLock);
    }

    [Fact]
    public void GilLock_WithoutEmulatedMode_ThrowsAtConstruction()
    {
        var options = new ThreadPoolExecutorOptions { GilLock = new GlobalInterpreterLock(), GilMode = GilMode.PerWorker };

        var ex = Assert.Throws<ArgumentException>(() => new ThreadPoolExecutor(options));
        Assert.Contains("GilMode.Emulated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GilMode_Undefined_ThrowsAtTheSetter()
    {
        var options = new ThreadPoolExecutorOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.GilMode = (GilMode)7);
    }

    [Fact]
    public void Emulated_TaskWaitingOnAnotherTasksFuture_DoesNotDeadlock()
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, GilMode = GilMode.Emulated });

        Future<int> outer = executor.Submit(() =>
        {
            Future<int> inner = executor.Submit(() =>
            {
                GilBurn.For(TimeSpan.FromMilliseconds(5));
                return 21;
            });
            return inner.GetResult(TestTimeouts.Unexpected) * 2;   // blocks: must release the lock
        });

        Assert.Equal(42, outer.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Emulated_WaitAsCompletedAndMapInsideATask_DoNotDeadlock()
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 3, GilMode = GilMode.Emulated });

        int total = executor.Submit(() =>
        {
            Future<int>[] parts = Enumerable.Range(1, 4).Select(i => executor.Submit(() => i)).ToArray();
            DoneAndNotDone waited = Futures.Wait(parts, TestTimeouts.Unexpected);
            int sum = waited.Done.Count == 4 ? parts.Sum(f => f.GetResult()) : -1000;
            sum += Futures.AsCompleted(parts, TestTimeouts.Unexpected).Sum(f => f.GetResult());
            sum += executor.Map(x => x * 10, Enumerable.Range(1, 4), timeout: TestTimeouts.Unexpected).Sum();
            return sum;
        }).GetResult(TestTimeouts.Unexpected);

        Assert.Equal(10 + 10 + 100, total);
    }

    [Fact]
    public void Emulated_DoneCallbackSubmitting_AndShutdownFromAThreadHoldingTheLock_Complete()
    {
        var gil = new GlobalInterpreterLock(new GilOptions { SwitchInterval = OneMillisecond });
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, GilMode = GilMode.Emulated, GilLock = gil });
        var chained = new TaskCompletionSource<Future<int>>();

        Future<int> first = executor.Submit(() => 1);
        first.AddDoneCallback(_ => chained.SetResult(executor.Submit(() => first.GetResult() + 1)));
        Assert.True(chained.Task.Wait(TestTimeouts.Unexpected));
        Assert.Equal(2, chained.Task.Result.GetResult(TestTimeouts.Unexpected));

        for (int i = 0; i < 4; i++)
        {
            executor.Submit(() => GilBurn.For(TimeSpan.FromMilliseconds(10)));
        }

        // The main thread joins the interpreter and shuts down while holding the lock: the joins release it.
        var shutdown = new Thread(() =>
        {
            using (gil.Acquire())
            {
                executor.Shutdown(wait: true);
            }
        });
        shutdown.Start();
        Assert.True(shutdown.Join(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Emulated_TaskThatThrows_StillReleasesTheLockForOthers()
    {
        var gil = new GlobalInterpreterLock();
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, GilMode = GilMode.Emulated, GilLock = gil });

        Future<int> failed = executor.Submit<int>(() => throw new InvalidOperationException("boom"));
        Assert.IsType<InvalidOperationException>(failed.GetException(TestTimeouts.Unexpected));

        // The worker parks (released) after the failure: an outside thread can take the lock.
        var outside = new Thread(() =>
        {
            using (gil.Acquire())
            {
            }
        });
        outside.Start();
        Assert.True(outside.Join(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Emulated_TasksThatNeverCheckpoint_StillTakeTurnsAtTaskBoundaries()
    {
        // E1: the worker checkpoints at the start of each item, so many short tasks time-slice with no user code.
        var gil = new GlobalInterpreterLock(new GilOptions { SwitchInterval = OneMillisecond });
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, GilMode = GilMode.Emulated, GilLock = gil });

        Future[] futures = Enumerable.Range(0, 200).Select(_ => (Future)executor.Submit(() => SpinWait.SpinUntil(() => false, 2))).ToArray();
        Assert.Empty(Futures.Wait(futures, TestTimeouts.Unexpected).NotDone);

        GilStatistics stats = gil.GetStatistics();
        Assert.True(stats.ForcedSwitches > 0, stats.ToString());
    }

    private static bool TwoTasksMeetHoldingTheirLocks(GilMode mode, TimeSpan patience)
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, GilMode = mode });
        using var barrier = new Barrier(2);
        using var bothStarted = new CountdownEvent(2);

        // Both workers must exist first: the second is started only when the first is busy.
        Future<bool>[] futures = Enumerable.Range(0, 2).Select(_ => executor.Submit(() =>
        {
            Executors.Gil.WithoutGil(() =>
            {
                bothStarted.Signal();
                bothStarted.Wait(TestTimeouts.Unexpected);
            });
            return barrier.SignalAndWait(patience);   // a raw wait that keeps the lock
        })).ToArray();

        bool met = futures[0].GetResult(TestTimeouts.Unexpected) && futures[1].GetResult(TestTimeouts.Unexpected);
        return met;
    }
}
