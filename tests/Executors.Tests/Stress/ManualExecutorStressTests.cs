using System.Collections.Concurrent;
using System.Globalization;
using Executors.Testing;
using Executors.Tests.TestUtilities;
using Xunit.Abstractions;

namespace Executors.Tests.Stress;

/// <summary>
/// The queue behind <see cref="ManualExecutor"/> and <see cref="SeededExecutor"/> under contention:
/// producers submitting (and tasks submitting children), cancellations, driver threads looping on
/// <c>RunNext(timeout)</c>, and a shutdown with random arguments racing with all of it. Every future
/// must end finished or canceled, every task that ran must have run once, and every driver must stop.
/// </summary>
[Trait("Category", "Stress")]
public sealed class ManualExecutorStressTests
{
    private const int DefaultRuns = 150;

    private readonly ITestOutputHelper _output;

    public ManualExecutorStressTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void SubmitCancelRunNextAndShutdown_RandomMix_EveryFutureEndsOnceAndDriversStop()
    {
        int seed = StressSettings.CreateSeed(_output);
        string replay = StressSettings.Replay(seed);
        int runs = StressSettings.Iterations(DefaultRuns);
        var plan = new Random(seed);
        long ran = 0;
        long canceled = 0;

        for (int run = 0; run < runs; run++)
        {
            (int runRan, int runCanceled) = Run(run, new Random(plan.Next()), replay);
            ran += runRan;
            canceled += runCanceled;
        }

        _output.WriteLine($"{runs} executors: {ran} tasks ran, {canceled} canceled.");
        Assert.True(ran > 0, $"No task ran in {runs} runs. {replay}");
    }

    private static (int Ran, int Canceled) Run(int run, Random random, string replay)
    {
        bool seeded = random.Next(2) == 0;
        IExecutor executor = seeded ? new SeededExecutor(random.Next()) : new ManualExecutor();
        Func<TimeSpan, bool> runNext = seeded ? ((SeededExecutor)executor).RunNext : ((ManualExecutor)executor).RunNext;
        int producers = random.Next(1, 4);
        int drivers = random.Next(1, 4);
        int perProducer = random.Next(1, 60);
        bool wait = random.Next(2) == 0;
        bool cancelFutures = random.Next(3) == 0;
        int shutdownAfter = random.Next(0, producers * perProducer);
        string settings = string.Create(
            CultureInfo.InvariantCulture,
            $"run {run}: {(seeded ? "seeded" : "manual")}, {producers} producers x {perProducer}, {drivers} drivers, Shutdown(wait: {wait}, cancelFutures: {cancelFutures}) after {shutdownAfter}");

        var runCounts = new ConcurrentDictionary<int, int>();
        var futures = new ConcurrentQueue<(int Id, Future Future)>();
        int nextId = 0;
        int submitted = 0;

        void SubmitTracked(bool mayHaveChild)
        {
            int id = Interlocked.Increment(ref nextId);
            try
            {
                Future future = executor.Submit(() =>
                {
                    runCounts.AddOrUpdate(id, 1, static (_, n) => n + 1);
                    if (mayHaveChild && id % 3 == 0)
                    {
                        SubmitTracked(mayHaveChild: false);
                    }
                });
                futures.Enqueue((id, future));
                if (id % 7 == 0)
                {
                    future.Cancel();
                }
            }
            catch (ObjectDisposedException)
            {
                // Shut down: refused, as it must be.
            }
        }

        var driverThreads = new Thread[drivers];
        for (int d = 0; d < drivers; d++)
        {
            driverThreads[d] = new Thread(() =>
            {
                while (runNext(TestTimeouts.Unexpected))
                {
                }
            })
            { IsBackground = true };
            driverThreads[d].Start();
        }

        Task[] producerTasks = [.. Enumerable.Range(0, producers).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < perProducer; i++)
            {
                SubmitTracked(mayHaveChild: true);
                Interlocked.Increment(ref submitted);
            }
        }))];

        SpinWait.SpinUntil(() => Volatile.Read(ref submitted) >= shutdownAfter, TestTimeouts.Unexpected);
        executor.Shutdown(wait, cancelFutures);
        Assert.True(Task.WaitAll(producerTasks, TestTimeouts.Unexpected), $"Producers hung. {settings} {replay}");

        // Drivers finish what is queued after Shutdown(wait: false); then they stop.
        foreach (Thread driver in driverThreads)
        {
            Assert.True(driver.Join(TestTimeouts.Unexpected), $"A driver did not stop. {settings} {replay}");
        }

        int ran = 0;
        int canceledCount = 0;
        foreach ((int id, Future future) in futures)
        {
            Assert.True(future.IsDone, $"Task {id} is {future.State} after shutdown and drivers stopped. {settings} {replay}");
            runCounts.TryGetValue(id, out int count);
            if (future.IsCanceled)
            {
                canceledCount++;
                Assert.True(count == 0, $"Canceled task {id} ran {count} times. {settings} {replay}");
            }
            else
            {
                ran++;
                Assert.True(count == 1, $"Finished task {id} ran {count} times. {settings} {replay}");
            }
        }

        Assert.Empty(seeded ? ((SeededExecutor)executor).Pending : ((ManualExecutor)executor).Pending);
        executor.Dispose();
        return (ran, canceledCount);
    }
}
