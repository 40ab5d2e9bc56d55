using Executors.Tests.TestUtilities;

namespace Executors.Tests.GilTests;

public sealed class GlobalInterpreterLockTests
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Acquire_MakesTheThreadTheHolder_DisposeReleases()
    {
        var gil = new GlobalInterpreterLock();

        using (gil.Acquire())
        {
            Assert.True(gil.IsHeldByCurrentThread);
            Assert.Same(gil, Executors.Gil.Current);
            Assert.True(Executors.Gil.IsHeld);
        }

        Assert.False(gil.IsHeldByCurrentThread);
        Assert.Null(Executors.Gil.Current);
    }

    [Fact]
    public void Acquire_Nested_IsReentrantAndReleasesAtTheOutermostDispose()
    {
        var gil = new GlobalInterpreterLock();

        GilHold outer = gil.Acquire();
        GilHold inner = gil.Acquire();
        inner.Dispose();
        Assert.True(gil.IsHeldByCurrentThread);
        outer.Dispose();

        Assert.False(gil.IsHeldByCurrentThread);
        Assert.Equal(1, gil.GetStatistics().Acquisitions);
    }

    [Fact]
    public void Dispose_OnAnotherThread_Throws()
    {
        var gil = new GlobalInterpreterLock();
        GilHold hold = gil.Acquire();

        Exception? error = null;
        var other = new Thread(() => error = Record.Exception(() => hold.Dispose()));
        other.Start();
        Assert.True(other.Join(TestTimeouts.Unexpected));

        Assert.IsType<InvalidOperationException>(error);
        hold.Dispose();
    }

    [Fact]
    public void Acquire_WhileAttachedToAnotherLock_Throws()
    {
        var first = new GlobalInterpreterLock();
        var second = new GlobalInterpreterLock();

        using (first.Acquire())
        {
            var ex = Assert.Throws<InvalidOperationException>(() => second.Acquire());
            Assert.Contains("another GlobalInterpreterLock", ex.Message, StringComparison.Ordinal);
        }

        using (second.Acquire())
        {
            Assert.Same(second, Executors.Gil.Current);
        }
    }

    [Fact]
    public void Release_WhenNotHolding_IsANoOp()
    {
        var gil = new GlobalInterpreterLock();

        using GilReleaseScope scope = gil.Release();
        using GilReleaseScope ambient = Executors.Gil.Release();

        Assert.False(scope.ReleasedLock);
        Assert.False(ambient.ReleasedLock);
        Assert.Equal(0, gil.GetStatistics().Acquisitions);
    }

    [Fact]
    public void ReleaseScope_LetsAnotherThreadTakeTheLock_AndRetakesAtTheSavedDepth()
    {
        var gil = new GlobalInterpreterLock();
        using var otherRan = new ManualResetEventSlim();

        using (gil.Acquire())
        using (gil.Acquire())
        {
            using (GilReleaseScope scope = Executors.Gil.Release())
            {
                Assert.True(scope.ReleasedLock);
                Assert.False(gil.IsHeldByCurrentThread);
                Assert.Same(gil, Executors.Gil.Current);   // still attached, as a CPython thread state is

                var other = new Thread(() =>
                {
                    using (gil.Acquire())
                    {
                        otherRan.Set();
                    }
                });
                other.Start();
                Assert.True(otherRan.Wait(TestTimeouts.Unexpected));
                Assert.True(other.Join(TestTimeouts.Unexpected));
            }

            Assert.True(gil.IsHeldByCurrentThread);
        }

        // Two holds were open around the scope: both are undone, then the lock is free.
        Assert.False(gil.IsHeldByCurrentThread);
    }

    [Fact]
    public void ReleaseScope_ExceptionInside_TakesTheLockBack()
    {
        var gil = new GlobalInterpreterLock();

        using (gil.Acquire())
        {
            Action failInsideScope = () =>
            {
                using (Executors.Gil.Release())
                {
                    throw new InvalidOperationException("inside");
                }
            };
            Assert.Throws<InvalidOperationException>(failInsideScope);

            Assert.True(gil.IsHeldByCurrentThread);
        }
    }

    [Fact]
    public void WithoutGil_RunsReleasedAndReturnsTheResult()
    {
        var gil = new GlobalInterpreterLock();

        using (gil.Acquire())
        {
            bool heldInside = Executors.Gil.WithoutGil(() => gil.IsHeldByCurrentThread);

            Assert.False(heldInside);
            Assert.True(gil.IsHeldByCurrentThread);
        }

        Assert.Equal(1, gil.GetStatistics().VoluntaryReleases);
    }

    [Fact]
    public void SwitchInterval_ZeroOrNegative_ThrowsAndKeepsTheOldValue()
    {
        var gil = new GlobalInterpreterLock();

        Assert.Throws<ArgumentOutOfRangeException>(() => gil.SwitchInterval = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => gil.SwitchInterval = TimeSpan.FromMilliseconds(-1));
        Assert.Equal(TimeSpan.FromMilliseconds(5), gil.SwitchInterval);
    }

    [Fact]
    public void Checkpoint_UncontendedHolder_NeverSwitches()
    {
        var gil = new GlobalInterpreterLock();

        using (gil.Acquire())
        {
            for (int i = 0; i < 1_000_000; i++)
            {
                Executors.Gil.Checkpoint();
                gil.Checkpoint();
            }
        }

        GilStatistics stats = gil.GetStatistics();
        Assert.Equal(0, stats.DropRequests);
        Assert.Equal(0, stats.ForcedSwitches);
        Assert.Equal(1, stats.Switches);          // the first take of a fresh lock counts as a switch, as in CPython
        Assert.Equal(1, stats.Acquisitions);
    }

    [Fact]
    public void Waiter_AsksTheHolderToDrop_AndTheHolderHandsOverAtItsNextCheckpoint()
    {
        var gil = new GlobalInterpreterLock(new GilOptions { SwitchInterval = OneMillisecond });
        using var holding = new ManualResetEventSlim();
        bool holderReachedCheckpointFirst = false;
        bool waiterGotIt = false;

        var holder = new Thread(() =>
        {
            using (gil.Acquire())
            {
                holding.Set();

                // Spin WITHOUT a checkpoint until a drop request arrives, then honour it.
                GilThreadState state = GilThreadState.Current!;
                SpinWait.SpinUntil(() => Volatile.Read(ref state.DropRequest) != 0, TestTimeouts.Unexpected);
                holderReachedCheckpointFirst = !Volatile.Read(ref waiterGotIt);
                Executors.Gil.Checkpoint();

                // FORCE_SWITCHING: by the time the checkpoint returns, the waiter has had the lock.
                Assert.True(Volatile.Read(ref waiterGotIt));
            }
        });
        holder.Start();
        Assert.True(holding.Wait(TestTimeouts.Unexpected));

        using (gil.Acquire())
        {
            Volatile.Write(ref waiterGotIt, true);
        }

        Assert.True(holder.Join(TestTimeouts.Unexpected));
        Assert.True(holderReachedCheckpointFirst);
        GilStatistics stats = gil.GetStatistics();
        Assert.True(stats.DropRequests >= 1, stats.ToString());
        Assert.Equal(1, stats.ForcedSwitches);
        Assert.Equal(0, stats.ForcedSwitchesToSelf);
    }

    [Fact]
    public void NonCooperativeHolder_KeepsTheLockUntilItReturns_AndIsCountedAsALongHold()
    {
        // A C call that keeps the GIL: never checkpoints, never releases. Nothing can preempt it.
        var gil = new GlobalInterpreterLock(new GilOptions
        {
            SwitchInterval = OneMillisecond,
            LongHoldThreshold = TimeSpan.FromMilliseconds(20),
        });
        using var holding = new ManualResetEventSlim();
        bool holderFinished = false;

        var holder = new Thread(() =>
        {
            using (gil.Acquire())
            {
                holding.Set();
                GilThreadState state = GilThreadState.Current!;

                // Hold well past several drop requests, without a checkpoint.
                SpinWait.SpinUntil(() => Volatile.Read(ref state.DropRequest) != 0, TestTimeouts.Unexpected);
                Thread.Sleep(100);
                Volatile.Write(ref holderFinished, true);
            }
        });
        holder.Start();
        Assert.True(holding.Wait(TestTimeouts.Unexpected));

        using (gil.Acquire())
        {
            Assert.True(Volatile.Read(ref holderFinished));
        }

        Assert.True(holder.Join(TestTimeouts.Unexpected));
        GilStatistics stats = gil.GetStatistics();
        Assert.True(stats.DropRequests >= 1, stats.ToString());
        Assert.Equal(0, stats.ForcedSwitches);
        Assert.True(stats.LongHolds >= 1, stats.ToString());
        Assert.True(stats.MaxContendedHold >= TimeSpan.FromMilliseconds(100), stats.ToString());
    }

    [Fact]
    public void TwoCpuThreads_ForceSwitching_DroppingThreadNeverWinsTheLockBackFirst()
    {
        var gil = new GlobalInterpreterLock(new GilOptions { SwitchInterval = OneMillisecond, Seed = 1 });
        GilStatistics stats = RunCpuThreadsUntilForcedSwitches(gil, threads: 2, forcedSwitches: 100);

        Assert.True(stats.ForcedSwitches >= 100, stats.ToString());
        Assert.Equal(0, stats.ForcedSwitchesToSelf);
        Assert.True(stats.ForcedSwitches <= stats.DropRequests, stats.ToString());
    }

    [Fact]
    public void TwoCpuThreads_WithoutForceSwitchingOrDirectHandoff_DroppingThreadCanWinTheLockBack()
    {
        // The behaviour FORCE_SWITCHING exists to prevent: the thread that drops keeps running and
        // re-takes the lock before the woken waiter gets there.
        var gil = new GlobalInterpreterLock(new GilOptions
        {
            SwitchInterval = OneMillisecond,
            ForceSwitching = false,
            DirectHandoff = false,
            Seed = 1,
        });
        GilStatistics stats = RunCpuThreadsUntil(gil, threads: 2, s => s.ForcedSwitchesToSelf > 0 || s.ForcedSwitches >= 5000);

        Assert.True(stats.ForcedSwitchesToSelf > 0, stats.ToString());
    }

    [Fact]
    public void Statistics_AddUp_AndResetClearsThem()
    {
        var gil = new GlobalInterpreterLock(new GilOptions { SwitchInterval = OneMillisecond });
        GilStatistics stats = RunCpuThreadsUntilForcedSwitches(gil, threads: 3, forcedSwitches: 30);

        Assert.True(stats.Switches <= stats.Acquisitions, stats.ToString());
        Assert.True(stats.ContendedAcquisitions <= stats.Acquisitions, stats.ToString());
        Assert.True(stats.ForcedSwitches <= stats.DropRequests, stats.ToString());
        Assert.True(stats.TotalHold <= stats.Elapsed + OneMillisecond, stats.ToString());
        Assert.True(stats.MaxWait <= stats.TotalWait, stats.ToString());
        Assert.True(stats.WaitP50 <= stats.WaitP99, stats.ToString());
        Assert.InRange(stats.Load, 0.0, 1.01);

        gil.ResetStatistics();
        GilStatistics cleared = gil.GetStatistics();
        Assert.Equal(0, cleared.Acquisitions);
        Assert.Equal(0, cleared.Switches);
        Assert.Equal(0, cleared.DropRequests);
        Assert.Equal(TimeSpan.Zero, cleared.TotalWait);
        Assert.Equal(TimeSpan.Zero, cleared.TotalHold);
    }

    [Fact]
    public void SwitchInterval_ChangedDuringARun_AppliesFromTheNextWait()
    {
        var gil = new GlobalInterpreterLock(new GilOptions { SwitchInterval = TimeSpan.FromHours(1) });
        using var holding = new ManualResetEventSlim();
        using var stop = new ManualResetEventSlim();

        var holder = new Thread(() =>
        {
            using (gil.Acquire())
            {
                holding.Set();
                while (!stop.IsSet)
                {
                    Executors.Gil.Checkpoint();
                }
            }
        });
        holder.Start();
        Assert.True(holding.Wait(TestTimeouts.Unexpected));

        // The waiter's first wait already began with the old interval; a timeout cannot end it, so the
        // new interval applies from its next wait. Here the waiter is a fresh thread, so its first wait
        // already uses the new value: it must get the lock long before an hour.
        gil.SwitchInterval = OneMillisecond;
        using (gil.Acquire())
        {
            stop.Set();
        }

        Assert.True(holder.Join(TestTimeouts.Unexpected));
        Assert.True(gil.GetStatistics().DropRequests >= 1);
    }

    [Fact]
    public void Acquire_Canceled_GivesUpWaitingAndLeavesTheLockUsable()
    {
        var gil = new GlobalInterpreterLock();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        var holder = new Thread(() =>
        {
            using (gil.Acquire())
            {
                holding.Set();
                release.Wait(TestTimeouts.Unexpected);   // a raw wait: keeps the lock, like a C call
            }
        });
        holder.Start();
        Assert.True(holding.Wait(TestTimeouts.Unexpected));

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => gil.Acquire(cts.Token));
        Assert.Null(Executors.Gil.Current);

        release.Set();
        Assert.True(holder.Join(TestTimeouts.Unexpected));
        using (gil.Acquire())
        {
            Assert.True(gil.IsHeldByCurrentThread);
        }
    }

    [Fact]
    public void Checkpoint_WithCanceledToken_Throws()
    {
        var gil = new GlobalInterpreterLock();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        using (gil.Acquire())
        {
            Assert.Throws<OperationCanceledException>(() => gil.Checkpoint(cts.Token));
            Assert.Throws<OperationCanceledException>(() => Executors.Gil.Checkpoint(cts.Token));
            Assert.True(gil.IsHeldByCurrentThread);
        }
    }

    [Fact]
    public void SleepAndYield_ReleaseTheLock()
    {
        var gil = new GlobalInterpreterLock();

        using (gil.Acquire())
        {
            Executors.Gil.Sleep(TimeSpan.FromMilliseconds(1));
            Executors.Gil.Yield();
            gil.Sleep(TimeSpan.Zero);
            gil.Yield();
            Assert.True(gil.IsHeldByCurrentThread);
        }

        Assert.Equal(4, gil.GetStatistics().VoluntaryReleases);
        Assert.Throws<ArgumentOutOfRangeException>(() => gil.Sleep(TimeSpan.FromMilliseconds(-2)));
    }

    [Fact]
    public void MutualExclusion_FourThreadsIncrementingWithCheckpoints_CountIsExactAndOccupancyNeverExceedsOne()
    {
        const int Threads = 4;
        const int Increments = 1_000_000;
        var gil = new GlobalInterpreterLock(new GilOptions { SwitchInterval = OneMillisecond });
        long shared = 0;
        int occupancy = 0;
        int maxOccupancy = 0;

        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            using (gil.Acquire())
            {
                for (int i = 0; i < Increments; i++)
                {
                    int inside = Interlocked.Increment(ref occupancy);
                    if (inside > Volatile.Read(ref maxOccupancy))
                    {
                        Volatile.Write(ref maxOccupancy, inside);
                    }

                    shared++;   // deliberately not atomic: only the lock makes it safe
                    Interlocked.Decrement(ref occupancy);
                    Executors.Gil.Checkpoint();
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TestTimeouts.Unexpected)));

        Assert.Equal((long)Threads * Increments, shared);
        Assert.Equal(1, maxOccupancy);
    }

    private static GilStatistics RunCpuThreadsUntilForcedSwitches(GlobalInterpreterLock gil, int threads, int forcedSwitches) =>
        RunCpuThreadsUntil(gil, threads, s => s.ForcedSwitches >= forcedSwitches);

    private static GilStatistics RunCpuThreadsUntil(GlobalInterpreterLock gil, int threads, Func<GilStatistics, bool> done)
    {
        using var stop = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            using (gil.Acquire())
            {
                while (!stop.IsSet)
                {
                    GilBurn.For(TimeSpan.FromMicroseconds(20));
                }
            }
        })).ToList();
        workers.ForEach(t => t.Start());

        // Polled from outside the lock; generous deadline for a loaded machine.
        bool reached = SpinWait.SpinUntil(() =>
        {
            Thread.Sleep(5);
            return done(gil.GetStatistics());
        }, TestTimeouts.Unexpected);
        stop.Set();
        workers.ForEach(t => Assert.True(t.Join(TestTimeouts.Unexpected)));
        Assert.True(reached, gil.GetStatistics().ToString());
        return gil.GetStatistics();
    }
}
