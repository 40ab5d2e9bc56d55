using Executors.Tests.TestUtilities;
using Xunit.Abstractions;

namespace Executors.Tests.Stress;

/// <summary>
/// Random interleavings of everything a thread can do with an emulated lock at once: nested acquires,
/// checkpoints, release scopes, yields, sleeps, canceled acquires, interval changes and statistics
/// resets, under every handoff policy, asserting mutual exclusion, that every thread finishes, and that
/// the statistics stay consistent.
/// </summary>
[Trait("Category", "Stress")]
public sealed class GilStressTests
{
    private const int DefaultRuns = 12;
    private const int OperationsPerThread = 250;

    private readonly ITestOutputHelper _output;

    public GilStressTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RandomOperationsOnOneLock_NeverTwoHolders_EveryThreadFinishes_StatisticsConsistent()
    {
        int seed = StressSettings.CreateSeed(_output);
        int runs = StressSettings.Iterations(DefaultRuns);
        var plan = new Random(seed);
        long totalSwitches = 0;
        long totalForced = 0;

        for (int run = 0; run < runs; run++)
        {
            int runSeed = plan.Next();
            var rng = new Random(runSeed);
            var options = new GilOptions
            {
                SwitchInterval = TimeSpan.FromMilliseconds(rng.Next(1, 3)),
                Handoff = (GilHandoff)rng.Next(0, 5),
                DirectHandoff = rng.Next(2) == 0,
                ForceSwitching = rng.Next(4) != 0,
                Seed = runSeed,
            };
            var gil = new GlobalInterpreterLock(options);
            int threads = rng.Next(2, 6);
            int occupancy = 0;
            int violations = 0;
            long guarded = 0;
            int[] threadSeeds = Enumerable.Range(0, threads).Select(_ => rng.Next()).ToArray();

            var workers = threadSeeds.Select(threadSeed => new Thread(() =>
            {
                var r = new Random(threadSeed);
                for (int op = 0; op < OperationsPerThread; op++)
                {
                    int depth = r.Next(1, 3);
                    var holds = new Stack<GilHold>();
                    for (int d = 0; d < depth; d++)
                    {
                        holds.Push(gil.Acquire());
                    }

                    Enter(ref occupancy, ref violations);
                    guarded++;
                    switch (r.Next(8))
                    {
                        case 0:
                            Leave(ref occupancy);
                            using (Executors.Gil.Release())
                            {
                                Thread.SpinWait(r.Next(50));
                            }

                            Enter(ref occupancy, ref violations);
                            break;
                        case 1:
                            Leave(ref occupancy);
                            Executors.Gil.Yield();
                            Enter(ref occupancy, ref violations);
                            break;
                        case 2:
                            Leave(ref occupancy);
                            Executors.Gil.Sleep(TimeSpan.Zero);
                            Enter(ref occupancy, ref violations);
                            break;
                        case 3:
                            if (r.Next(20) == 0)
                            {
                                gil.ResetStatistics();
                            }

                            break;
                        default:
                            long spinUntil = Environment.TickCount64 + r.Next(0, 2);
                            while (Environment.TickCount64 < spinUntil)
                            {
                                Leave(ref occupancy);
                                Executors.Gil.Checkpoint();
                                Enter(ref occupancy, ref violations);
                            }

                            Leave(ref occupancy);
                            Executors.Gil.Checkpoint();
                            Enter(ref occupancy, ref violations);
                            break;
                    }

                    Leave(ref occupancy);
                    while (holds.Count > 0)
                    {
                        holds.Pop().Dispose();
                    }

                    if (r.Next(30) == 0)
                    {
                        // A canceled acquire leaves no trace: no reservation, no waiter.
                        using var cts = new CancellationTokenSource();
                        cts.Cancel();
                        try
                        {
                            using (gil.Acquire(cts.Token))
                            {
                            }
                        }
                        catch (OperationCanceledException)
                        {
                        }
                    }
                }
            })).ToList();

            workers.ForEach(t => t.Start());
            foreach (Thread worker in workers)
            {
                Assert.True(worker.Join(TestTimeouts.Unexpected), $"run {run} (seed {runSeed}): a thread did not finish; {gil.GetStatistics()}");
            }

            GilStatistics stats = gil.GetStatistics();
            Assert.True(violations == 0, $"run {run} (seed {runSeed}): two holders at once {violations} times");
            Assert.Equal((long)threads * OperationsPerThread, guarded);
            Assert.True(stats.Switches <= stats.Acquisitions, $"run {run}: {stats}");
            Assert.True(stats.TotalHold <= stats.Elapsed + TimeSpan.FromMilliseconds(1), $"run {run}: {stats}");
            if (options.ForceSwitching && options.DirectHandoff)
            {
                Assert.True(stats.ForcedSwitchesToSelf == 0, $"run {run} (seed {runSeed}): {stats}");
            }

            // Nobody holds it now: a fresh thread takes it at once.
            using (gil.Acquire())
            {
                Assert.True(gil.IsHeldByCurrentThread);
            }

            totalSwitches += stats.Switches;
            totalForced += stats.ForcedSwitches;
        }

        _output.WriteLine($"{runs} runs: {totalSwitches} switches, {totalForced} forced switches.");
    }

    private static void Enter(ref int occupancy, ref int violations)
    {
        if (Interlocked.Increment(ref occupancy) != 1)
        {
            Interlocked.Increment(ref violations);
        }
    }

    private static void Leave(ref int occupancy) => Interlocked.Decrement(ref occupancy);
}
