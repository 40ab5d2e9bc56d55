using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Executors.Tests.TestUtilities;
using Xunit.Abstractions;

namespace Executors.Tests.Stress;

/// <summary>
/// The process pool's pipelining (docs/design/0005) under random load: tasks of random durations
/// written several to a worker, revoked from busy workers to idle ones, workers killed at random while
/// calls are in their windows, cancel racing with dispatch, and recycling with MaxTasksPerChild. Every
/// future must end exactly once, with its own result or a <see cref="BrokenProcessPoolException"/>
/// (only when a worker was killed), no task may run twice, no worker may run more than
/// MaxTasksPerChild tasks, and no worker process may survive the pool.
/// </summary>
/// <remarks>
/// Each task proves it ran by creating a file named after it in a run directory, with
/// <see cref="FileMode.CreateNew"/>: a second run of the same task finds the file and leaves a
/// <c>twice-</c> marker instead. The file holds the worker's pid, which counts the tasks per worker.
/// </remarks>
[Trait("Category", "Stress")]
public sealed class ProcessPoolExecutorStressTests
{
    private const int DefaultRounds = 4;
    private const int TasksPerRound = 160;
    private const int DefaultMapRounds = 6;

    private readonly ITestOutputHelper _output;

    public ProcessPoolExecutorStressTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void SubmitCancelAndKill_RandomDurationsPipelined_EveryFutureEndsOnceAndNoTaskRunsTwice()
    {
        int seed = StressSettings.CreateSeed(_output);
        string replay = StressSettings.Replay(seed);
        int rounds = StressSettings.Iterations(DefaultRounds);
        var random = new Random(seed);
        int totalBroken = 0, totalCanceled = 0, totalKills = 0, totalWorkers = 0, totalRevokes = 0;

        for (int round = 0; round < rounds; round++)
        {
            RoundResult result = RunRound(random, round, replay);
            totalBroken += result.Broken;
            totalCanceled += result.Canceled;
            totalKills += result.Kills;
            totalWorkers += result.Workers;
            totalRevokes += result.Revokes;
        }

        _output.WriteLine($"{rounds} rounds of {TasksPerRound} tasks: {totalKills} workers killed, {totalBroken} futures broken, {totalCanceled} canceled, {totalRevokes} revokes sent, {totalWorkers} worker processes seen.");
    }

    [Fact]
    public void Map_RandomChunkSizesAndDurationsWithAbandon_ResultsInOrderAndAbandonedWorkNeverRunsTwice()
    {
        int seed = StressSettings.CreateSeed(_output);
        string replay = StressSettings.Replay(seed);
        int rounds = StressSettings.Iterations(DefaultMapRounds);
        var random = new Random(seed);
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        var pids = new HashSet<int>();

        for (int round = 0; round < rounds; round++)
        {
            using var runDirectory = new RunDirectory();
            int chunkSize = random.Next(1, 9);
            int count = random.Next(20, 120);
            int abandonAt = random.Next(3) == 0 ? random.Next(count) : -1;
            int[] items = [.. Enumerable.Range(0, count).Select(i => Encode(i, random.Next(10) == 0 ? random.Next(1, 15) : 0))];
            Func<int, int> task = RecordingTask(runDirectory.Path);

            var yielded = new List<int>();
            using (IEnumerator<int> results = executor.Map(task, items, timeout: TestTimeouts.Unexpected, chunkSize: chunkSize).GetEnumerator())
            {
                while ((abandonAt < 0 || yielded.Count < abandonAt) && results.MoveNext())
                {
                    yielded.Add(results.Current);
                }
            }

            string context = $"round {round}: Map of {count} items, chunkSize {chunkSize}, abandoned at {abandonAt}. {replay}";
            Assert.True(
                yielded.SequenceEqual(Enumerable.Range(0, yielded.Count).Select(Expected)),
                $"Results out of order or wrong: [{string.Join(", ", yielded.Take(20))}...]; {context}");
            Assert.True(abandonAt >= 0 || yielded.Count == count, $"{yielded.Count} of {count} results; {context}");

            // Let everything written to a worker finish before the files are read.
            _ = executor.Submit(static () => 0).GetResult(TestTimeouts.Unexpected);
            Assert.True(
                SpinWait.SpinUntil(() => runDirectory.Ran().Count >= yielded.Count, TestTimeouts.Unexpected),
                $"Not every yielded item left its file; {context}");
            Assert.Empty(runDirectory.RanTwice());
            pids.UnionWith(runDirectory.Ran().Values.Where(pid => pid > 0));
        }

        executor.Shutdown(wait: true);
        LeakAssertions.AssertWorkersExit(pids, TestTimeouts.Unexpected);
    }

    private static int Encode(int id, int sleepMilliseconds) => (id * 100) + sleepMilliseconds;

    private static int Expected(int id) => (id * 2) + 1;

    /// <summary>A task over an encoded argument (id, sleep): records its run, sleeps, returns <see cref="Expected"/> of its id.</summary>
    private static Func<int, int> RecordingTask(string directory) => encoded =>
    {
        int id = encoded / 100;
        int sleep = encoded % 100;

        // Recorded as the task starts: a task killed while it sleeps has left its file, so a second run shows.
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        string name = id.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var file = new FileStream(Path.Combine(directory, "ran-" + name), FileMode.CreateNew);
            file.Write(System.Text.Encoding.ASCII.GetBytes(pid));
        }
        catch (IOException) when (Directory.Exists(directory))
        {
            File.WriteAllText(Path.Combine(directory, $"twice-{name}-{Guid.NewGuid():N}"), pid);
        }
        catch (DirectoryNotFoundException)
        {
            // A straggler after its round ended.
        }

        if (sleep > 0)
        {
            Thread.Sleep(sleep);
        }

        return (id * 2) + 1;
    };

    private RoundResult RunRound(Random random, int round, string replay)
    {
        int maxWorkers = random.Next(1, 4);
        int? maxTasksPerChild = random.Next(3) == 0 ? random.Next(8, 40) : null;
        bool kill = random.Next(2) == 0;
        HashSet<int> killPoints = kill ? [.. Enumerable.Range(0, 4).Select(_ => random.Next(10, TasksPerRound))] : [];
        string context = $"round {round}: {maxWorkers} workers, MaxTasksPerChild {maxTasksPerChild?.ToString(CultureInfo.InvariantCulture) ?? "none"}, kills {kill}. {replay}";

        using var runDirectory = new RunDirectory();
        var futures = new Future<int>[TasksPerRound];
        var cancelAccepted = new bool[TasksPerRound];
        var callbacks = new int[TasksPerRound];
        var pidsSeen = new ConcurrentDictionary<int, bool>();
        int kills = 0;
        int revokes;
        Func<int, int> task = RecordingTask(runDirectory.Path);

        using (var executor = new ProcessPoolExecutor(maxWorkers: maxWorkers, maxTasksPerChild: maxTasksPerChild))
        {
            for (int i = 0; i < TasksPerRound; i++)
            {
                if (killPoints.Contains(i) && KillAWorkerThatRanATask(executor, runDirectory, random, pidsSeen))
                {
                    kills++;
                }

                int roll = random.Next(100);
                int sleep = roll < 70 ? 0 : roll < 95 ? random.Next(1, 4) : random.Next(15, 40);
                futures[i] = executor.Submit(task, Encode(i, sleep));
                int index = i;
                futures[i].AddDoneCallback(_ => Interlocked.Increment(ref callbacks[index]));
                if (random.Next(12) == 0)
                {
                    // Races with dispatch: true only while the call is still queued in the parent.
                    cancelAccepted[i] = futures[i].Cancel();
                }

                foreach (int pid in LeakAssertions.WorkerPids(executor))
                {
                    pidsSeen.TryAdd(pid, true);
                }

                if (random.Next(20) == 0)
                {
                    Thread.Sleep(random.Next(1, 5));
                }
            }

            DoneAndNotDone waited = Futures.Wait(futures, TestTimeouts.Unexpected);
            Assert.True(waited.NotDone.Count == 0, $"{waited.NotDone.Count} futures never ended; {context}");

            foreach (int pid in LeakAssertions.WorkerPids(executor))
            {
                pidsSeen.TryAdd(pid, true);
            }

            revokes = executor.RevokesSent;
        }

        int broken = 0, canceled = 0;
        Dictionary<int, int> ran = runDirectory.Ran();
        for (int i = 0; i < TasksPerRound; i++)
        {
            Future<int> future = futures[i];
            Assert.True(
                SpinWait.SpinUntil(() => Volatile.Read(ref callbacks[i]) > 0, TestTimeouts.Unexpected),
                $"Future {i} ended without running its done-callback; {context}");
            Assert.True(Volatile.Read(ref callbacks[i]) == 1, $"Future {i} ran its done-callback {callbacks[i]} times; {context}");
            if (future.IsCanceled)
            {
                Assert.True(cancelAccepted[i], $"Future {i} is canceled, but Cancel returned false; {context}");
                Assert.False(ran.ContainsKey(i), $"Canceled task {i} ran; {context}");
                canceled++;
                continue;
            }

            Assert.False(cancelAccepted[i], $"Cancel of future {i} returned true, but it is {future.State}; {context}");
            Exception? exception = future.GetException(TimeSpan.Zero);
            if (exception is null)
            {
                Assert.True(future.GetResult(TimeSpan.Zero) == Expected(i), $"Future {i} returned {future.GetResult(TimeSpan.Zero)}; {context}");
                Assert.True(ran.ContainsKey(i), $"Task {i} has a result but left no file; {context}");
            }
            else
            {
                Assert.True(kill, $"Future {i} failed without any kill: {exception}; {context}");
                Assert.True(exception is BrokenProcessPoolException, $"Future {i} failed with {exception}; {context}");
                broken++;
            }
        }

        Assert.True(runDirectory.RanTwice().Count == 0, $"Tasks ran twice: {string.Join(", ", runDirectory.RanTwice())}; {context}");
        if (maxTasksPerChild is { } max)
        {
            foreach (IGrouping<int, int> perWorker in ran.Where(entry => entry.Value > 0).GroupBy(entry => entry.Value, entry => entry.Key))
            {
                Assert.True(perWorker.Count() <= max, $"Worker {perWorker.Key} ran {perWorker.Count()} tasks, more than MaxTasksPerChild {max}; {context}");
            }
        }

        foreach (int pid in ran.Values.Where(pid => pid > 0))
        {
            pidsSeen.TryAdd(pid, true);
        }

        LeakAssertions.AssertWorkersExit(pidsSeen.Keys, TestTimeouts.Unexpected);
        return new RoundResult(broken, canceled, kills, pidsSeen.Count, revokes);
    }

    /// <summary>
    /// Kills (SIGKILL) a random worker that has already run a task, so is past its handshake (killing
    /// workers before it, three in a row, rightly breaks the pool); waits a little for one to exist.
    /// The kill lands wherever that worker is: mid-task, between tasks, with calls in its window.
    /// </summary>
    /// <returns>Whether a worker was killed.</returns>
    private static bool KillAWorkerThatRanATask(ProcessPoolExecutor executor, RunDirectory runDirectory, Random random, ConcurrentDictionary<int, bool> pidsSeen)
    {
        Process? victim = null;
        _ = SpinWait.SpinUntil(
            () =>
            {
                var started = new HashSet<int>(runDirectory.Ran().Values);
                Process[] workers = [.. executor.WorkerProcesses.Where(process => started.Contains(process.Id))];
                victim = workers.Length == 0 ? null : workers[random.Next(workers.Length)];
                return victim is not null;
            },
            TimeSpan.FromSeconds(5));
        if (victim is null)
        {
            return false;
        }

        try
        {
            pidsSeen.TryAdd(victim.Id, true);
            victim.Kill();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private readonly record struct RoundResult(int Broken, int Canceled, int Kills, int Workers, int Revokes);

    /// <summary>A temporary directory where tasks record their runs; deleted on dispose.</summary>
    private sealed class RunDirectory : IDisposable
    {
        public RunDirectory() => Path = Directory.CreateTempSubdirectory("executors-stress-").FullName;

        public string Path { get; }

        /// <summary>Returns every task id that ran, with the pid of the worker that ran it (-1 if it was killed before writing it).</summary>
        public Dictionary<int, int> Ran()
        {
            var ran = new Dictionary<int, int>();
            foreach (string file in Directory.EnumerateFiles(Path, "ran-*"))
            {
                string text = ReadWhenWritten(file);
                ran[int.Parse(System.IO.Path.GetFileName(file)["ran-".Length..], CultureInfo.InvariantCulture)] =
                    int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid) ? pid : -1;
            }

            return ran;
        }

        public List<string> RanTwice() => [.. Directory.EnumerateFiles(Path, "twice-*").Select(System.IO.Path.GetFileName).OfType<string>()];

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A straggler is writing; the temporary folder is cleaned up eventually.
            }
        }

        /// <summary>Reads a run file, waiting briefly if its task is between creating and writing it.</summary>
        private static string ReadWhenWritten(string file)
        {
            string text = File.ReadAllText(file);
            for (int i = 0; i < 20 && text.Length == 0; i++)
            {
                Thread.Sleep(10);
                text = File.ReadAllText(file);
            }

            return text;
        }
    }
}
