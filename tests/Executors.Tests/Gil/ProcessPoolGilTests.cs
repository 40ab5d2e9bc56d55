using Executors.ProcessPool.Protocol;
using Executors.Tests.TestUtilities;

namespace Executors.Tests.GilTests;

/// <summary>E4 of the GIL model: with <see cref="ProcessPoolExecutorOptions.WorkerGil"/> each worker process is one interpreter with its own lock.</summary>
public sealed class ProcessPoolGilTests
{
    [Fact]
    public void WorkerGil_TasksRunHoldingTheWorkersOwnLock_WithTheGivenOptions()
    {
        using var executor = new ProcessPoolExecutor(new ProcessPoolExecutorOptions
        {
            MaxWorkers = 1,
            WorkerGil = new GilOptions { SwitchInterval = TimeSpan.FromMilliseconds(3) },
        });

        long[] seen = executor.Submit(static () => new[]
        {
            Executors.Gil.IsHeld ? 1L : 0L,
            Executors.Gil.Current?.SwitchInterval.Ticks ?? -1,
        }).GetResult(TestTimeouts.Unexpected);

        Assert.Equal([1L, TimeSpan.FromMilliseconds(3).Ticks], seen);
        Assert.False(Executors.Gil.IsHeld);   // the parent's threads are unaffected
    }

    [Fact]
    public void WithoutWorkerGil_TasksHoldNoLock()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);

        bool held = executor.Submit(static () => Executors.Gil.IsHeld || Executors.Gil.Current is not null).GetResult(TestTimeouts.Unexpected);

        Assert.False(held);
    }

    [Fact]
    public void WorkerGil_AThreadTheTaskStartsSharesTheWorkersLock_AndRunsWhileTheTaskWaits()
    {
        using var executor = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = 1, WorkerGil = new GilOptions() });

        long switches = executor.Submit(static () =>
        {
            GlobalInterpreterLock gil = Executors.Gil.Current!;
            long counted = 0;
            var helper = new Thread(() =>
            {
                using (gil.Acquire())
                {
                    for (int i = 0; i < 1000; i++)
                    {
                        counted++;
                        Executors.Gil.Checkpoint();
                    }
                }
            });
            helper.Start();
            using (Executors.Gil.Release())
            {
                helper.Join();
            }

            return counted == 1000 ? gil.GetStatistics().Switches : -1;
        }).GetResult(TestTimeouts.Unexpected);

        Assert.True(switches >= 2, $"switches={switches}");
    }

    [Fact]
    public void WorkerGilArguments_RoundTripEveryOption()
    {
        var options = new GilOptions
        {
            SwitchInterval = TimeSpan.FromTicks(12_345),
            ForceSwitching = false,
            Handoff = GilHandoff.IoPriority,
            OldestWaiterBias = 0.3,
            DirectHandoff = false,
            Seed = -7,
            LongHoldThreshold = TimeSpan.FromMilliseconds(70),
            YieldWindow = TimeSpan.FromMicroseconds(80),
        };

        Assert.True(WorkerGilArguments.TryParse(WorkerGilArguments.Format(options), out GilOptions? parsed));

        Assert.Equal(options.SwitchInterval, parsed!.SwitchInterval);
        Assert.Equal(options.ForceSwitching, parsed.ForceSwitching);
        Assert.Equal(options.Handoff, parsed.Handoff);
        Assert.Equal(options.OldestWaiterBias, parsed.OldestWaiterBias);
        Assert.Equal(options.DirectHandoff, parsed.DirectHandoff);
        Assert.Equal(options.Seed, parsed.Seed);
        Assert.Equal(options.LongHoldThreshold, parsed.LongHoldThreshold);
        Assert.Equal(options.YieldWindow, parsed.YieldWindow);
    }

    [Theory]
    [InlineData("interval=0")]
    [InlineData("interval=abc")]
    [InlineData("unknown=1")]
    [InlineData("novalue")]
    public void WorkerGilArguments_Malformed_IsRefused(string value)
    {
        Assert.False(WorkerGilArguments.TryParse(value, out _));
    }
}
