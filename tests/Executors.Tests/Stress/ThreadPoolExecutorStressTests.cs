using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Executors.Tests.TestUtilities;
using Xunit.Abstractions;

namespace Executors.Tests.Stress;

/// <summary>
/// Random mixes of everything a <see cref="ThreadPoolExecutor"/> does at once: submissions from several
/// producers and from inside tasks, cancellation, done-callbacks, Wait, AsCompleted, Map, and Shutdown racing
/// with all of it, with few workers and short idle timeouts so that worker retirement races with submissions.
/// </summary>
[Trait("Category", "Stress")]
public sealed class ThreadPoolExecutorStressTests
{
    private const int DefaultMixedRuns = 100;
    private const int DefaultSequentialSubmissions = 3000;
    private const int DefaultShutdownRetirementRaces = 3000;

    private readonly ITestOutputHelper _output;

    public ThreadPoolExecutorStressTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void SubmitCancelWaitMapAndShutdown_RandomMixWithShortIdleTimeouts_EveryFutureEndsCorrectlyAndWorkersExit()
    {
        int seed = StressSettings.CreateSeed(_output);
        int runs = StressSettings.Iterations(DefaultMixedRuns);
        var plan = new Random(seed);
        var totals = new MixedRun.Totals();

        for (int run = 0; run < runs; run++)
        {
            new MixedRun(seed, run, plan.Next()).Execute(totals);
        }

        _output.WriteLine(
            $"{runs} executors: {totals.Submitted} submitted, {totals.Canceled} canceled, {totals.RejectedSubmits} submits and "
            + $"{totals.RejectedMaps} maps rejected after shutdown, {totals.CanceledMaps} maps canceled by shutdown, {totals.WorkerThreads} worker threads seen.");
        Assert.True(totals.Submitted > 0, $"No submission was accepted in {runs} runs. {StressSettings.Replay(seed)}");
    }

    [Fact]
    public void SubmitThenWait_OneWorkerWithOneMillisecondIdleTimeout_EverySubmissionCompletes()
    {
        int seed = StressSettings.CreateSeed(_output);
        string replay = StressSettings.Replay(seed);
        int submissions = StressSettings.Iterations(DefaultSequentialSubmissions);
        var random = new Random(seed);
        var threadsSeen = new HashSet<Thread>();
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, IdleTimeout = TimeSpan.FromMilliseconds(1) });

        for (int i = 0; i < submissions; i++)
        {
            // Tiny pauses of every length around the idle timeout, without sleeping: the submission lands
            // before, during or after the worker's retirement.
            string pause = Pause(random);
            int expected = i;
            Future<(int Value, Thread Thread)> future = executor.Submit(() => (expected, Thread.CurrentThread));

            (int Value, Thread Thread) result;
            try
            {
                result = future.GetResult(TestTimeouts.Unexpected);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Submission {i} (after pause {pause}) did not complete within {TestTimeouts.Unexpected}: lost wake-up between worker retirement and Submit? "
                    + $"State {future.State}, WorkerCount {executor.WorkerCount}. {replay}");
                throw;
            }

            Assert.True(result.Value == expected, $"Submission {i} returned {result.Value}. {replay}");
            threadsSeen.Add(result.Thread);
            Assert.True(executor.WorkerCount <= 1, $"WorkerCount {executor.WorkerCount} exceeds MaxWorkers 1 after submission {i}. {replay}");
        }

        executor.Shutdown(wait: true);

        _output.WriteLine($"{submissions} submissions ran on {threadsSeen.Count} worker threads (each new thread is a retirement that raced a submission).");
        Assert.True(executor.WorkerCount == 0, $"WorkerCount is {executor.WorkerCount} after Shutdown(wait: true). {replay}");
        foreach (Thread thread in threadsSeen)
        {
            Assert.True(thread.Join(TestTimeouts.Unexpected), $"Worker thread {thread.Name} did not exit. {replay}");
        }
    }

    [Fact]
    public void Shutdown_RacingIdleWorkerRetirement_RunsTheSubmissionQueuedJustBefore()
    {
        int seed = StressSettings.CreateSeed(_output);
        string replay = StressSettings.Replay(seed);
        int races = StressSettings.Iterations(DefaultShutdownRetirementRaces);
        var random = new Random(seed);

        for (int i = 0; i < races; i++)
        {
            using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, IdleTimeout = TimeSpan.FromMilliseconds(1) });
            executor.Submit(() => 0).GetResult(TestTimeouts.Unexpected);

            // The one worker is now idle and times out about 1 ms from now (measured: its retirement usually
            // comes 1.1-1.3 ms after GetResult returns): land the submission and the shutdown around that
            // moment, so that they fall between its timeout and its retirement. Mostly near the usual moment,
            // sometimes anywhere, because a loaded machine shifts it.
            int pauseMicroseconds = random.Next(4) == 0 ? random.Next(300, 3000) : random.Next(1000, 1500);
            BusyWait(pauseMicroseconds);
            Future<int> future = executor.Submit(() => 1);
            executor.Shutdown(wait: true);

            Assert.True(
                future.IsDone,
                $"Race {i} (pause {pauseMicroseconds} µs): Shutdown(wait: true) returned but the submission queued before it is {future.State} "
                + $"(WorkerCount {executor.WorkerCount}): the idle worker retired with an item in the queue. {replay}");
            Assert.True(future.GetResult(TimeSpan.Zero) == 1, $"Race {i}: wrong result. {replay}");
        }
    }

    /// <summary>Pauses for a random short while without sleeping; returns a description of the pause.</summary>
    private static string Pause(Random random)
    {
        switch (random.Next(10))
        {
            case < 3:
                return "none";
            case < 5:
                int yields = random.Next(1, 4);
                for (int y = 0; y < yields; y++)
                {
                    Thread.Yield();
                }

                return $"{yields} yields";
            case < 7:
                int spins = random.Next(1, 5000);
                Thread.SpinWait(spins);
                return $"SpinWait({spins})";
            default:
                int microseconds = random.Next(300, 5000);
                BusyWait(microseconds);
                return $"{microseconds} µs busy";
        }
    }

    /// <summary>Spins (yielding now and then, never sleeping) until <paramref name="microseconds"/> have passed.</summary>
    private static void BusyWait(int microseconds)
    {
        long until = Stopwatch.GetTimestamp() + (microseconds * Stopwatch.Frequency / 1_000_000);
        int round = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            if (++round % 64 == 0)
            {
                Thread.Yield();
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }

    /// <summary>One executor with random settings, several producer threads, and a shutdown that races with them.</summary>
    private sealed class MixedRun
    {
        private static readonly ReturnWhen[] s_returnWhens = Enum.GetValues<ReturnWhen>();

        private readonly int _seed;
        private readonly int _number;
        private readonly Random _plan;
        private readonly ConcurrentQueue<TrackedTask> _tracked = new();
        private readonly ConcurrentDictionary<Thread, bool> _workerThreads = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private readonly string _settings;
        private ThreadPoolExecutor _executor = null!;
        private int _nextId;
        private int _shutdownStarted;
        private int _cancelFuturesRequested;
        private int _waitingShutdownFromTaskTaken;
        private int _rejectedSubmits;
        private int _rejectedMaps;
        private int _canceledMaps;
        private readonly int _maxWorkers;

        public MixedRun(int seed, int number, int runSeed)
        {
            _seed = seed;
            _number = number;
            _plan = new Random(runSeed);
            _maxWorkers = _plan.Next(1, 9);
            IdleTimeout = _plan.Next(5) == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(_plan.Next(1, 21));
            _settings = string.Create(CultureInfo.InvariantCulture, $"run {number}: maxWorkers {_maxWorkers}, idleTimeout {IdleTimeout.TotalMilliseconds} ms");
        }

        private enum TaskKind
        {
            Value,
            Throw,
            SubmitChild,
            ShutdownOwnExecutor,
        }

        private TimeSpan IdleTimeout { get; }

        public void Execute(Totals totals)
        {
            string replay = $"({_settings}) {StressSettings.Replay(_seed)}";
            int producerCount = _plan.Next(1, 5);
            bool racingShutdown = _plan.Next(4) != 0;
            int shutdownDelayMicroseconds = _plan.Next(3) == 0 ? _plan.Next(0, 1000) : _plan.Next(1000, 15000);
            bool shutdownWait = _plan.Next(2) == 0;
            bool shutdownCancel = _plan.Next(2) == 0;
            int[] producerSeeds = Enumerable.Range(0, producerCount).Select(_ => _plan.Next()).ToArray();

            using var start = new ManualResetEventSlim(false);
            using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = _maxWorkers, IdleTimeout = IdleTimeout });
            _executor = executor;
            var threads = new List<Thread>();
            for (int p = 0; p < producerCount; p++)
            {
                int producer = p;
                threads.Add(new Thread(() => Guarded(() => Produce(producerSeeds[producer]), start)) { IsBackground = true, Name = $"Producer_{producer}" });
            }

            if (racingShutdown)
            {
                threads.Add(new Thread(() => Guarded(
                    () =>
                    {
                        BusyWait(shutdownDelayMicroseconds);
                        RequestShutdown(shutdownCancel);
                        executor.Shutdown(shutdownWait, shutdownCancel);
                    },
                    start))
                { IsBackground = true, Name = "Shutdowner" });
            }

            var joined = new bool[threads.Count];
            try
            {
                threads.ForEach(t => t.Start());
            }
            finally
            {
                // Released in finally: a failure above must not leave the threads parked on the gate.
                start.Set();
                for (int t = 0; t < threads.Count; t++)
                {
                    joined[t] = threads[t].ThreadState.HasFlag(System.Threading.ThreadState.Unstarted) || threads[t].Join(TestTimeouts.Unexpected);
                }
            }

            for (int t = 0; t < threads.Count; t++)
            {
                Assert.True(joined[t], $"{threads[t].Name} did not finish within {TestTimeouts.Unexpected} (deadlock?). {replay}");
            }

            foreach (Thread worker in executor.WorkerThreads)
            {
                _workerThreads.TryAdd(worker, true);
            }

            RequestShutdown(cancelFutures: false);
            executor.Shutdown(wait: true);

            // Shutdown(wait: true) runs all queued work to the end: everything is done right now.
            TrackedTask[] tracked = [.. _tracked];
            TrackedTask[] notDoneAtShutdown = tracked.Where(t => !t.Future!.IsDone).ToArray();
            DoneAndNotDone late = Futures.Wait(tracked.Select(t => t.Future!), TestTimeouts.Unexpected);
            Assert.True(
                late.NotDone.Count == 0,
                $"{late.NotDone.Count} of {tracked.Length} futures never completed (stranded in the queue with no worker?): "
                + $"{string.Join(", ", notDoneAtShutdown.Take(5))}. {replay}");
            Assert.True(
                notDoneAtShutdown.Length == 0,
                $"{notDoneAtShutdown.Length} futures were still not done when Shutdown(wait: true) returned: {string.Join(", ", notDoneAtShutdown.Take(5))}. {replay}");
            Assert.True(_failures.IsEmpty, $"{string.Join(" | ", _failures.Take(5))} {replay}");

            bool cancelFuturesRequested = Volatile.Read(ref _cancelFuturesRequested) != 0;
            foreach (TrackedTask task in tracked)
            {
                string? error = task.Check(cancelFuturesRequested);
                Assert.True(error is null, $"{error} {replay}");
            }

            Assert.True(executor.WorkerCount == 0, $"WorkerCount is {executor.WorkerCount} after Shutdown(wait: true). {replay}");
            Assert.True(executor.WorkerThreads.Count == 0, $"WorkerThreads lists {executor.WorkerThreads.Count} threads after Shutdown(wait: true). {replay}");
            foreach (Thread worker in _workerThreads.Keys)
            {
                Assert.True(worker.Join(TestTimeouts.Unexpected), $"Worker thread {worker.Name} did not exit after Shutdown(wait: true). {replay}");
            }

            totals.Add(tracked.Length, tracked.Count(t => t.Future!.IsCanceled), _rejectedSubmits, _rejectedMaps, _canceledMaps, _workerThreads.Count);
        }

        private void Guarded(Action action, ManualResetEventSlim start)
        {
            try
            {
                if (!start.Wait(TestTimeouts.Unexpected))
                {
                    _failures.Enqueue($"{Thread.CurrentThread.Name} was never released.");
                    return;
                }

                action();
            }
            catch (Exception ex)
            {
                _failures.Enqueue($"{Thread.CurrentThread.Name} crashed: {ex}");
            }
        }

        private void RequestShutdown(bool cancelFutures)
        {
            // Recorded before the call, so that whatever it causes (rejections, cancellations) is explained.
            if (cancelFutures)
            {
                Interlocked.Exchange(ref _cancelFuturesRequested, 1);
            }

            Interlocked.Exchange(ref _shutdownStarted, 1);
        }

        private void Produce(int producerSeed)
        {
            var random = new Random(producerSeed);
            var recent = new List<Future<int>>();
            int actions = random.Next(5, 60);
            for (int a = 0; a < actions; a++)
            {
                int dice = random.Next(100);
                if (dice < 62)
                {
                    TrackedTask task = NewTask(random, depth: 0);
                    if (SubmitTracked(task))
                    {
                        recent.Add(task.Future!);
                    }
                }
                else if (dice < 70)
                {
                    WaitOnRecent(random, recent);
                }
                else if (dice < 77)
                {
                    AsCompletedOnRecent(random, recent);
                }
                else if (dice < 86)
                {
                    MapSome(random);
                }
                else if (dice < 88)
                {
                    IReadOnlyList<Thread> workers = _executor.WorkerThreads;
                    if (workers.Count > _maxWorkers)
                    {
                        _failures.Enqueue($"{workers.Count} live workers exceed MaxWorkers {_maxWorkers}.");
                    }

                    foreach (Thread worker in workers)
                    {
                        _workerThreads.TryAdd(worker, true);
                    }
                }
                else
                {
                    Pause(random);
                }
            }
        }

        private TrackedTask NewTask(Random random, int depth)
        {
            int dice = random.Next(100);
            TaskKind kind = dice switch
            {
                < 68 => TaskKind.Value,
                < 80 => TaskKind.Throw,
                < 99 => depth < 3 ? TaskKind.SubmitChild : TaskKind.Value,
                _ => TaskKind.ShutdownOwnExecutor,
            };
            var task = new TrackedTask(Interlocked.Increment(ref _nextId), kind)
            {
                Spin = random.Next(4) == 0 ? random.Next(0, 3000) : 0,
                CancelAfterSubmit = random.Next(100) < 15,
                AddCallback = random.Next(100) < 30,
                ShutdownWait = random.Next(2) == 0,
                ShutdownCancel = random.Next(2) == 0,
            };
            if (kind == TaskKind.SubmitChild)
            {
                task.Child = NewTask(random, depth + 1);
            }

            return task;
        }

        private bool SubmitTracked(TrackedTask task)
        {
            Future<int> future;
            try
            {
                future = _executor.Submit(() => RunTask(task));
            }
            catch (ObjectDisposedException)
            {
                if (Volatile.Read(ref _shutdownStarted) == 0)
                {
                    _failures.Enqueue($"Submit threw ObjectDisposedException before any shutdown ({task}).");
                }

                Interlocked.Increment(ref _rejectedSubmits);
                return false;
            }

            task.Future = future;
            _tracked.Enqueue(task);
            if (task.AddCallback)
            {
                task.HasCallback = true;
                future.AddDoneCallback(f =>
                {
                    Interlocked.Increment(ref task.CallbackRuns);
                    if (!f.IsDone || !ReferenceEquals(f, future))
                    {
                        _failures.Enqueue($"The callback of {task} ran on a future that is not done ({f.State}).");
                    }
                });
            }

            if (task.CancelAfterSubmit)
            {
                task.CanceledByUs = true;
                task.CancelReturned = future.Cancel();
            }

            return true;
        }

        private int RunTask(TrackedTask task)
        {
            Interlocked.Increment(ref task.Runs);
            _workerThreads.TryAdd(Thread.CurrentThread, true);
            if (task.Spin > 0)
            {
                Thread.SpinWait(task.Spin);
            }

            switch (task.Kind)
            {
                case TaskKind.Throw:
                    throw task.ExpectedException;
                case TaskKind.SubmitChild:
                    SubmitTracked(task.Child!);
                    break;
                case TaskKind.ShutdownOwnExecutor:
                    // Only one task may shut down with wait: two would join each other's threads.
                    bool wait = task.ShutdownWait && Interlocked.Exchange(ref _waitingShutdownFromTaskTaken, 1) == 0;
                    RequestShutdown(task.ShutdownCancel);
                    _executor.Shutdown(wait, task.ShutdownCancel);
                    break;
                default:
                    break;
            }

            return task.Value;
        }

        private void WaitOnRecent(Random random, List<Future<int>> recent)
        {
            List<Future<int>> futures = PickRecent(random, recent);
            if (futures.Count == 0)
            {
                return;
            }

            ReturnWhen returnWhen = s_returnWhens[random.Next(s_returnWhens.Length)];
            DoneAndNotDone result = Futures.Wait(futures, TestTimeouts.Unexpected, returnWhen);
            int distinct = futures.Distinct().Count();
            bool holds = result.NotDone.Count == 0 || returnWhen switch
            {
                ReturnWhen.FirstCompleted => result.Done.Count > 0,
                ReturnWhen.FirstException => result.Done.Any(f => f.State == FutureState.Finished && f.GetException(TimeSpan.Zero) is not null),
                _ => false,
            };
            if (!holds || result.Done.Count + result.NotDone.Count != distinct)
            {
                _failures.Enqueue($"Futures.Wait({returnWhen}) on {distinct} futures returned {result.Done.Count} done, {result.NotDone.Count} not done within {TestTimeouts.Unexpected}.");
            }
        }

        private void AsCompletedOnRecent(Random random, List<Future<int>> recent)
        {
            List<Future<int>> futures = PickRecent(random, recent);
            int distinct = futures.Distinct().Count();
            try
            {
                List<Future<int>> yielded = Futures.AsCompleted(futures, TestTimeouts.Unexpected).ToList();
                if (yielded.Count != distinct || yielded.Distinct().Count() != distinct || yielded.Any(f => !f.IsDone))
                {
                    _failures.Enqueue($"AsCompleted on {distinct} futures yielded {yielded.Count} ({yielded.Distinct().Count()} distinct).");
                }
            }
            catch (TimeoutException)
            {
                _failures.Enqueue($"AsCompleted on {distinct} futures timed out after {TestTimeouts.Unexpected}: {futures.Count(f => !f.IsDone)} never completed.");
            }
        }

        private void MapSome(Random random)
        {
            int count = random.Next(0, 12);
            int? bufferSize = random.Next(3) == 0 ? null : random.Next(1, 5);
            int stopAfter = random.Next(4) == 0 ? random.Next(0, count + 1) : int.MaxValue;
            int yielded = 0;
            try
            {
                IEnumerable<int> results = _executor.Map(
                    x =>
                    {
                        _workerThreads.TryAdd(Thread.CurrentThread, true);
                        return (x * 3) + 1;
                    },
                    Enumerable.Range(0, count),
                    TestTimeouts.Unexpected,
                    chunkSize: 1,
                    bufferSize);
                foreach (int result in results)
                {
                    if (result != (yielded * 3) + 1)
                    {
                        _failures.Enqueue($"Map(bufferSize {bufferSize}) yielded {result} at index {yielded}.");
                    }

                    if (++yielded >= stopAfter)
                    {
                        break;
                    }
                }

                if (stopAfter == int.MaxValue && yielded != count)
                {
                    _failures.Enqueue($"Map(bufferSize {bufferSize}) yielded {yielded} of {count} results.");
                }
            }
            catch (ObjectDisposedException)
            {
                if (Volatile.Read(ref _shutdownStarted) == 0)
                {
                    _failures.Enqueue("Map threw ObjectDisposedException before any shutdown.");
                }

                Interlocked.Increment(ref _rejectedMaps);
            }
            catch (OperationCanceledException)
            {
                if (Volatile.Read(ref _cancelFuturesRequested) == 0)
                {
                    _failures.Enqueue($"A Map(bufferSize {bufferSize}) result was canceled, but no shutdown canceled futures.");
                }

                Interlocked.Increment(ref _canceledMaps);
            }
            catch (TimeoutException)
            {
                _failures.Enqueue($"Map(bufferSize {bufferSize}) over {count} items timed out after {TestTimeouts.Unexpected} at index {yielded}.");
            }
        }

        private static List<Future<int>> PickRecent(Random random, List<Future<int>> recent)
        {
            var futures = recent.Skip(Math.Max(0, recent.Count - random.Next(1, 9))).ToList();
            if (futures.Count > 0 && random.Next(3) == 0)
            {
                futures.Add(futures[random.Next(futures.Count)]);
            }

            return futures;
        }

        /// <summary>Running totals over all runs, for the test output.</summary>
        public sealed class Totals
        {
            public int Submitted { get; private set; }

            public int Canceled { get; private set; }

            public int RejectedSubmits { get; private set; }

            public int RejectedMaps { get; private set; }

            public int CanceledMaps { get; private set; }

            public int WorkerThreads { get; private set; }

            public void Add(int submitted, int canceled, int rejectedSubmits, int rejectedMaps, int canceledMaps, int workerThreads)
            {
                Submitted += submitted;
                Canceled += canceled;
                RejectedSubmits += rejectedSubmits;
                RejectedMaps += rejectedMaps;
                CanceledMaps += canceledMaps;
                WorkerThreads += workerThreads;
            }
        }

        /// <summary>A submitted task: what it must produce, and what happened to it.</summary>
        private sealed class TrackedTask
        {
            public int Runs;
            public int CallbackRuns;

            private Future<int>? _future;

            public TrackedTask(int id, TaskKind kind)
            {
                Id = id;
                Kind = kind;
                ExpectedException = new InvalidOperationException($"Task {id} failed on purpose.");
            }

            public int Id { get; }

            public TaskKind Kind { get; }

            public int Value => (Id * 7) + 3;

            public InvalidOperationException ExpectedException { get; }

            public int Spin { get; init; }

            public bool CancelAfterSubmit { get; init; }

            public bool AddCallback { get; init; }

            public bool ShutdownWait { get; init; }

            public bool ShutdownCancel { get; init; }

            public TrackedTask? Child { get; set; }

            public Future<int>? Future
            {
                get => Volatile.Read(ref _future);
                set => Volatile.Write(ref _future, value);
            }

            public bool HasCallback { get; set; }

            public bool CanceledByUs { get; set; }

            public bool CancelReturned { get; set; }

            /// <summary>Checks the final state once the executor is shut down; returns the violation, or null.</summary>
            public string? Check(bool cancelFuturesRequested)
            {
                Future<int> future = Future!;
                int runs = Volatile.Read(ref Runs);
                if (runs > 1)
                {
                    return $"{this} ran {runs} times.";
                }

                if (HasCallback && Volatile.Read(ref CallbackRuns) != 1)
                {
                    return $"The callback of {this} ran {CallbackRuns} times.";
                }

                if (CanceledByUs && CancelReturned != future.IsCanceled)
                {
                    return $"Cancel on {this} returned {CancelReturned}, but the future ended {future.State}.";
                }

                switch (future.State)
                {
                    case FutureState.Canceled:
                        if (runs != 0)
                        {
                            return $"{this} ran although its future was canceled.";
                        }

                        if (!CanceledByUs && !cancelFuturesRequested)
                        {
                            return $"{this} was canceled, but neither the test nor a Shutdown(cancelFutures: true) canceled it.";
                        }

                        return null;
                    case FutureState.Finished:
                        if (runs != 1)
                        {
                            return $"{this} finished without running.";
                        }

                        Exception? exception = future.GetException(TimeSpan.Zero);
                        if (Kind == TaskKind.Throw)
                        {
                            return ReferenceEquals(exception, ExpectedException) ? null : $"{this} finished with {exception?.GetType().Name ?? "a result"}, not its own exception.";
                        }

                        return exception is null && future.GetResult(TimeSpan.Zero) == Value ? null : $"{this} finished with {exception?.GetType().Name ?? "a wrong result"}.";
                    default:
                        return $"{this} ended {future.State}.";
                }
            }

            public override string ToString() =>
                $"task {Id} ({Kind}{(CanceledByUs ? ", canceled by the test" : string.Empty)}{(HasCallback ? ", with callback" : string.Empty)}, future {Future?.State.ToString() ?? "not submitted"})";
        }
    }
}
