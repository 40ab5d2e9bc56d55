using Executors.Tests.TestUtilities;

namespace Executors.Tests.GilTests;

/// <summary>The snippets of docs/gil.md, compiled and run, so the docs cannot rot.</summary>
public sealed class GilDocsExamplesTests
{
    [Fact]
    public void TurningItOn_TheThreeModes()
    {
        // docs/gil.md, "Turning it on".
        // One interpreter: both workers share one lock (CPython's default build).
        using var threads = new ThreadPoolExecutor(new ThreadPoolExecutorOptions
        {
            MaxWorkers = 2,
            GilMode = GilMode.Emulated,
        });

        // One interpreter per worker (CPython 3.14's InterpreterPoolExecutor, PEP 684).
        using var interpreters = new ThreadPoolExecutor(new ThreadPoolExecutorOptions
        {
            MaxWorkers = 2,
            GilMode = GilMode.PerWorker,
        });

        // Free-threaded CPython (3.13t/3.14t): no lock. This is the default.
        using var freeThreaded = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { GilMode = GilMode.Disabled });

        Assert.True(threads.Submit(() => Executors.Gil.IsHeld).GetResult(TestTimeouts.Unexpected));
        Assert.True(interpreters.Submit(() => Executors.Gil.IsHeld).GetResult(TestTimeouts.Unexpected));
        Assert.False(freeThreaded.Submit(() => Executors.Gil.IsHeld).GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void WritingCodeThatRunsUnderIt_CheckpointReleaseSleep()
    {
        // docs/gil.md, "Writing code that runs under it".
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, GilMode = GilMode.Emulated });

        Future<long> future = executor.Submit(() =>
        {
            long sum = 0;
            for (long i = 0; i < 1_000_000; i++)
            {
                sum += i * i;
                if ((i & 0x3FFF) == 0)
                {
                    Executors.Gil.Checkpoint();              // the eval breaker
                }
            }

            byte[] digest;
            using (Executors.Gil.Release())                   // Py_BEGIN_ALLOW_THREADS
            {
                digest = System.Security.Cryptography.SHA256.HashData(new byte[64 * 1024]);
            }

            Executors.Gil.Sleep(TimeSpan.FromMilliseconds(1)); // time.sleep(0.001)
            return sum + digest.Length;
        });

        Assert.Equal(333332833333500000L + 32, future.GetResult(TestTimeouts.Unexpected));
        GilStatistics stats = executor.GilLock!.GetStatistics();
        Assert.True(stats.VoluntaryReleases >= 2, stats.ToString());
    }

    [Fact]
    public void SharedLock_AnOutsideThreadJoinsTheInterpreter()
    {
        // docs/gil.md: "a thread of your own joins with using (gil.Acquire()) { ... }".
        var gil = new GlobalInterpreterLock();
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, GilMode = GilMode.Emulated, GilLock = gil });

        using (gil.Acquire())
        {
            Future<int> future = executor.Submit(() => 42);
            Assert.Equal(42, future.GetResult(TestTimeouts.Unexpected));   // waiting releases the lock
        }
    }
}
