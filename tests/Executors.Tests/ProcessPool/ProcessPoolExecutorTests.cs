using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Executors.Tests.TestUtilities;
using MessagePack;

namespace Executors.Tests.ProcessPool;

/// <summary>
/// <see cref="ProcessPoolExecutor"/> through its public API: what can be shipped to a worker process
/// and what is refused at <c>Submit</c>, how remote exceptions come back, the initializer,
/// recycling, chunked Map, and workers started on demand. Tests that need no fresh pool share one
/// two-worker executor (<see cref="ProcessPoolExecutorFixture"/>).
/// </summary>
public sealed class ProcessPoolExecutorTests : IClassFixture<ProcessPoolExecutorFixture>
{
    private const string InitializerVariable = "EXECUTORS_TESTS_INITIALIZED";

    private readonly ProcessPoolExecutor _executor;

    public ProcessPoolExecutorTests(ProcessPoolExecutorFixture fixture)
    {
        _executor = fixture.Executor;
    }

    // ---- What can be submitted -------------------------------------------------------------------

    [Fact]
    public void Submit_StaticLambda_RunsInAnotherProcess()
    {
        int pid = _executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);

        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Contains(pid, _executor.WorkerProcesses.Select(p => p.Id));
    }

    [Fact]
    public void Submit_StaticMethodGroup_ReturnsResult()
    {
        Future<int> future = _executor.Submit(Square, 12);

        Assert.Equal(144, future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_NonCapturingLambda_ReturnsResult()
    {
        Future<string> future = _executor.Submit(() => "no captures");

        Assert.Equal("no captures", future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_LambdaCapturingPrimitivesAndString_ReturnsResultBuiltFromThem()
    {
        int number = 41;
        string text = "answer";

        Future<string> future = _executor.Submit(() => text + ":" + (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("answer:42", future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_LambdaCapturingCollections_ReturnsResultBuiltFromThem()
    {
        int[] array = [1, 2, 3];
        var list = new List<string> { "a", "b" };
        var dictionary = new Dictionary<string, int> { ["x"] = 10, ["y"] = 20 };

        Future<string> future = _executor.Submit(() => $"{array.Sum()}|{string.Join(",", list)}|{dictionary["x"] + dictionary["y"]}|{dictionary.Count}");

        Assert.Equal("6|a,b|30|2", future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_LambdaCapturingRecordAndPlainClass_ReturnsResultBuiltFromThem()
    {
        var point = new Point(3, 4);
        var person = new Person { Name = "Ada", Age = 36 };

        Future<Point> future = _executor.Submit(() => new Point(point.X + person.Age, point.Y + person.Name.Length));

        Assert.Equal(new Point(39, 7), future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_LambdaCapturingMessagePackObject_RoundTripsItsKeys()
    {
        var order = new Order { Id = 7, Item = "widget", Quantity = 3 };

        Future<Order> future = _executor.Submit(() => new Order { Id = order.Id + 1, Item = order.Item.ToUpperInvariant(), Quantity = order.Quantity * 2 });

        Order result = future.GetResult(TestTimeouts.Unexpected);
        Assert.Equal(8, result.Id);
        Assert.Equal("WIDGET", result.Item);
        Assert.Equal(6, result.Quantity);
    }

    [Fact]
    public void Submit_ByteArrayArgument_ReturnsByteArrayResult()
    {
        byte[] bytes = [1, 2, 3, 250, 0, 7];

        Future<byte[]> future = _executor.Submit(static (byte[] b) => b.Reverse().ToArray(), bytes);

        Assert.Equal(new byte[] { 7, 0, 250, 3, 2, 1 }, future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_InstanceMethodOfSerializableObject_RunsWithTheObjectsState()
    {
        var multiplier = new Multiplier { Factor = 3 };

        Future<int> future = _executor.Submit(multiplier.Apply, 14);

        Assert.Equal(42, future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_NestedClosuresInLoop_EachSeesItsOuterAndInnerValues()
    {
        int outer = 100;
        var futures = new List<Future<int>>();

        for (int i = 0; i < 4; i++)
        {
            int inner = i;
            futures.Add(_executor.Submit(() => outer + inner));
        }

        Assert.Equal(new[] { 100, 101, 102, 103 }, futures.Select(f => f.GetResult(TestTimeouts.Unexpected)));
    }

    [Fact]
    public void Submit_GenericMethodWithUserType_ReturnsResult()
    {
        Future<Point> future = _executor.Submit(Mirror<Point>, new Point(1, 2));

        Assert.Equal(new Point(2, 1), future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_Action_RunsAndCompletes()
    {
        string path = Path.Combine(Path.GetTempPath(), "executors-action-" + Guid.NewGuid().ToString("N"));
        try
        {
            Future future = _executor.Submit(() => File.WriteAllText(path, "ran"));

            Assert.Null(future.GetException(TestTimeouts.Unexpected));
            Assert.Equal(FutureState.Finished, future.State);
            Assert.Equal("ran", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ---- What cannot be submitted: ArgumentException at the call, the pool unaffected --------------

    [Fact]
    public void Submit_LambdaCapturingThread_ThrowsArgumentExceptionNamingTheVariable()
    {
        Func<int> capturesThread = CapturingThread(new Thread(static () => { }));

        var exception = Assert.Throws<ArgumentException>(() => _executor.Submit(capturesThread));

        Assert.Equal("fn", exception.ParamName);
        Assert.Contains("'thread'", exception.Message, StringComparison.Ordinal);
        AssertPoolStillWorks();
    }

    [Fact]
    public void Submit_LambdaCapturingManualResetEventSlim_ThrowsArgumentExceptionNamingTheVariable()
    {
        using var signal = new ManualResetEventSlim();
        Func<bool> capturesSignal = CapturingEvent(signal);

        var exception = Assert.Throws<ArgumentException>(() => _executor.Submit(capturesSignal));

        Assert.Equal("fn", exception.ParamName);
        Assert.Contains("'signal'", exception.Message, StringComparison.Ordinal);
        AssertPoolStillWorks();
    }

    [Fact]
    public void Submit_LambdaCapturingTheExecutor_ThrowsArgumentExceptionNamingTheVariable()
    {
        ProcessPoolExecutor executor = _executor;

        var exception = Assert.Throws<ArgumentException>(() => executor.Submit(() => executor.MaxWorkers));

        Assert.Equal("fn", exception.ParamName);
        Assert.Contains("'executor'", exception.Message, StringComparison.Ordinal);
        AssertPoolStillWorks();
    }

    [Fact]
    public void Submit_AsyncLambda_ThrowsArgumentExceptionSayingItIsAsynchronous()
    {
        Func<Task<int>> asyncLambda = static async () =>
        {
            await Task.Yield();
            return 1;
        };

        var exception = Assert.Throws<ArgumentException>(() => _executor.Submit(asyncLambda));

        Assert.Equal("fn", exception.ParamName);
        Assert.Contains("asynchronous", exception.Message, StringComparison.Ordinal);
        AssertPoolStillWorks();
    }

    [Fact]
    public void Submit_MulticastDelegate_ThrowsArgumentExceptionSayingItIsMulticast()
    {
        Func<int> multicast = static () => 1;
        multicast += static () => 2;

        var exception = Assert.Throws<ArgumentException>(() => _executor.Submit(multicast));

        Assert.Equal("fn", exception.ParamName);
        Assert.Contains("multicast", exception.Message, StringComparison.Ordinal);
        AssertPoolStillWorks();
    }

    // ---- Exceptions ------------------------------------------------------------------------------

    [Fact]
    public void GetResult_TaskThrowsInvalidOperationException_RethrowsSameTypeWithRemoteDetailsInside()
    {
        Future<int> future = _executor.Submit(ThrowBoom);

        Exception? exception = Record.Exception(() => future.GetResult(TestTimeouts.Unexpected));

        InvalidOperationException invalid = Assert.IsType<InvalidOperationException>(exception);
        Assert.Equal("boom", invalid.Message);
        RemoteTaskException remote = Assert.IsType<RemoteTaskException>(invalid.InnerException);
        Assert.Equal(typeof(InvalidOperationException).FullName, remote.RemoteExceptionType);
        Assert.Contains(nameof(ThrowBoom), remote.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void GetResult_TaskThrowsExceptionWithOnlyMessageConstructor_FailsWithRemoteTaskExceptionNamingTheType()
    {
        Future<int> future = _executor.Submit(static int () => throw new MessageOnlyException("custom failure"));

        Exception? exception = future.GetException(TestTimeouts.Unexpected);

        RemoteTaskException remote = Assert.IsType<RemoteTaskException>(exception);
        Assert.Equal(typeof(MessageOnlyException).FullName, remote.RemoteExceptionType);
        Assert.Equal("custom failure", remote.Message);
        Assert.Contains(nameof(MessageOnlyException), remote.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void GetResult_ResultCannotBeSerialized_FailsTheFutureNotTheWorker()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        int pidBefore = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);

        Future<Thread> future = executor.Submit(static () => new Thread(static () => { }));
        Exception? exception = future.GetException(TestTimeouts.Unexpected);
        int pidAfter = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);

        Assert.NotNull(exception);
        Assert.IsNotType<BrokenProcessPoolException>(exception);
        Assert.Equal(FutureState.Finished, future.State);
        Assert.Equal(pidBefore, pidAfter);
    }

    // ---- Initializer -----------------------------------------------------------------------------

    [Fact]
    public void Initializer_RunsOncePerWorkerBeforeItsTasks()
    {
        using var markers = new CrossProcessGate();
        string directory = markers.DirectoryPath;
        var executor = new ProcessPoolExecutor(maxWorkers: 2, initializer: InitializerMarking(directory));
        (int Pid, string? Variable)[] seen;
        try
        {
            Future<(int, string?)>[] futures = [.. Enumerable.Range(0, 6).Select(_ => executor.Submit(static () => (Environment.ProcessId, Environment.GetEnvironmentVariable(InitializerVariable))))];
            seen = [.. futures.Select(f => f.GetResult(TestTimeouts.Unexpected))];
        }
        finally
        {
            executor.Dispose();
        }

        string[] initializedPids = [.. Directory.GetFiles(directory, "init-*").Select(f => File.ReadAllText(f))];
        Assert.All(seen, s => Assert.Equal("set", s.Variable));
        Assert.Equal(initializedPids.Length, initializedPids.Distinct().Count());
        Assert.Subset(initializedPids.ToHashSet(), seen.Select(s => s.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet());
        Assert.InRange(initializedPids.Length, 1, 2);
    }

    [Fact]
    public void Initializer_Throws_PendingAndLaterSubmissionsFailWithBrokenProcessPoolException()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1, initializer: ThrowingInitializer);

        Future<int> pending = executor.Submit(static () => 1);
        Exception? pendingException = pending.GetException(TestTimeouts.Unexpected);
        Exception? laterSubmit = Record.Exception(() => executor.Submit(static () => 2));

        Assert.IsType<BrokenProcessPoolException>(pendingException);
        Assert.IsType<BrokenProcessPoolException>(laterSubmit);
        Assert.Contains("initializer failed", pendingException.InnerException?.Message ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnshippableInitializer_ThrowsArgumentException()
    {
        var thread = new Thread(static () => { });

        Exception? exception = Record.Exception(() =>
        {
            using var executor = new ProcessPoolExecutor(maxWorkers: 1, initializer: () => GC.KeepAlive(thread));
        });

        ArgumentException argument = Assert.IsType<ArgumentException>(exception);
        Assert.Equal("initializer", argument.ParamName);
        Assert.Contains("'thread'", argument.Message, StringComparison.Ordinal);
    }

    // ---- Recycling, MaxWorkers, workers on demand ---------------------------------------------------

    [Fact]
    public void MaxTasksPerChild_Two_SixSequentialTasksSeeAtLeastThreeWorkersAndPoolKeepsWorking()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1, maxTasksPerChild: 2);
        var pids = new List<int>();

        for (int i = 0; i < 6; i++)
        {
            pids.Add(executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected));
        }

        int afterwards = executor.Submit(static (int x) => x + 1, 41).GetResult(TestTimeouts.Unexpected);
        Assert.True(pids.Distinct().Count() >= 3, $"Expected at least 3 distinct workers, saw {string.Join(", ", pids)}.");
        Assert.Equal(42, afterwards);
    }

    [Fact]
    public void MaxWorkers_Default_IsProcessorCountAndNoWorkerStartsBeforeWork()
    {
        using var executor = new ProcessPoolExecutor();

        int maxWorkers = executor.MaxWorkers;

        Assert.Equal(Environment.ProcessorCount, maxWorkers);
        Assert.Empty(executor.WorkerProcesses);
    }

    [Fact]
    public void Submit_OneTaskOnFreshPool_StartsExactlyOneWorkerProcess()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);

        int pid = executor.Submit(static () => Environment.ProcessId).GetResult(TestTimeouts.Unexpected);

        System.Diagnostics.Process worker = Assert.Single(executor.WorkerProcesses);
        Assert.Equal(pid, worker.Id);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("Executors.Worker.dll", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void GetResult_TaskWrittenAheadOfABlockedTask_ResultArrivesWhileTheBlockedTaskRuns()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();

        // Both calls are submitted before the only worker is ready, so both go into its window together.
        Future<int> quick = executor.Submit(static () => 1);
        Future<int> blocked = executor.Submit(BlockingOn(gate.DirectoryPath));
        bool blockedEntered = gate.WaitUntilEntered(1, TestTimeouts.Unexpected);
        Exception? quickException = Record.Exception(() => quick.GetResult(TestTimeouts.Unexpected));
        gate.Open();

        Assert.True(blockedEntered);
        Assert.Null(quickException);
        Assert.Equal(2, blocked.GetResult(TestTimeouts.Unexpected));
    }

    // ---- Pipelining (docs/design/0005) ------------------------------------------------------------

    [Fact]
    public void Submit_ShortTasksWrittenBehindALongOne_FinishOnTheOtherWorkerWhileTheLongOneRuns()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 2);
        StartBothWorkers(executor);
        using var first = new CrossProcessGate();
        using var longGate = new CrossProcessGate();

        // Both workers busy on the first gate while the rest queues; when it opens, each worker's
        // reader tops its window up in queue order, so one worker gets the long task with short
        // tasks written behind it, and the other gets short tasks only.
        Future<int>[] openers = [executor.Submit(BlockingOn(first.DirectoryPath)), executor.Submit(BlockingOn(first.DirectoryPath))];
        Assert.True(first.WaitUntilEntered(2, TestTimeouts.Unexpected), "Both workers should be busy.");
        Future<int> longTask = executor.Submit(BlockingOn(longGate.DirectoryPath));
        Future<int>[] shortTasks = [.. Enumerable.Range(0, (2 * ProcessPoolConstants.InFlightPerWorker) - 2).Select(i => executor.Submit(static x => x + 1, i))];
        first.Open();
        Assert.True(longGate.WaitUntilEntered(1, TestTimeouts.Unexpected), "The long task should be running.");

        DoneAndNotDone waited = Futures.Wait(shortTasks, TestTimeouts.Unexpected);
        bool longStillRunning = !longTask.IsDone;
        int revokes = executor.RevokesSent;
        longGate.Open();

        Assert.Empty(waited.NotDone);
        Assert.True(longStillRunning);
        Assert.True(revokes > 0, "No call was moved from the busy worker.");
        Assert.Equal(Enumerable.Range(1, shortTasks.Length), shortTasks.Select(f => f.GetResult(TimeSpan.Zero)));
        Assert.Equal(2, longTask.GetResult(TestTimeouts.Unexpected));
        Assert.All(openers, f => Assert.Equal(2, f.GetResult(TestTimeouts.Unexpected)));
    }

    [Fact]
    public void Cancel_TaskWrittenBehindARunningOne_ReturnsFalseAndTheTaskRuns()
    {
        // CPython: a call moved to the call queue is running and cannot be canceled. Here a call written
        // to a worker's window is that call: a busy worker's window is topped up when it answers.
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var first = new CrossProcessGate();
        using var second = new CrossProcessGate();
        Future<int> opener = executor.Submit(BlockingOn(first.DirectoryPath));
        Assert.True(first.WaitUntilEntered(1, TestTimeouts.Unexpected), "The first task should be running.");
        Future<int> blocked = executor.Submit(BlockingOn(second.DirectoryPath));
        Future<int> behind = executor.Submit(static () => 7);
        bool pendingWhileTheWorkerWasBusy = behind.State == FutureState.Pending;
        first.Open();
        Assert.True(second.WaitUntilEntered(1, TestTimeouts.Unexpected), "The second task should be running.");

        bool canceled = behind.Cancel();
        bool runningBeforeItStarted = behind.IsRunning;
        second.Open();

        Assert.True(pendingWhileTheWorkerWasBusy);
        Assert.False(canceled);
        Assert.True(runningBeforeItStarted);
        Assert.Equal(7, behind.GetResult(TestTimeouts.Unexpected));
        Assert.Equal(2, blocked.GetResult(TestTimeouts.Unexpected));
        Assert.Equal(2, opener.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Cancel_TaskBeyondTheWorkersWindow_ReturnsTrueAndTheTaskNeverRuns()
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();
        Future<int> blocked = executor.Submit(BlockingOn(gate.DirectoryPath));
        Assert.True(gate.WaitUntilEntered(1, TestTimeouts.Unexpected), "The blocking task should be running.");
        Func<int, int> entering = EnteringWithoutBlocking(gate.DirectoryPath);
        Future<int>[] behind = [.. Enumerable.Range(0, ProcessPoolConstants.InFlightPerWorker).Select(i => executor.Submit(entering, i))];

        bool canceled = behind[^1].Cancel();
        gate.Open();
        Futures.Wait(behind[..^1], TestTimeouts.Unexpected);
        executor.Shutdown(wait: true);

        Assert.True(canceled);
        Assert.True(behind[^1].IsCanceled);
        Assert.Equal(ProcessPoolConstants.InFlightPerWorker, gate.EnteredCount);
        Assert.Equal(2, blocked.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void MaxTasksPerChild_WithTasksPipelined_NoWorkerRunsMoreThanItsShare()
    {
        const int MaxTasks = 3;
        const int TaskCount = 30;
        using var executor = new ProcessPoolExecutor(maxWorkers: 2, maxTasksPerChild: MaxTasks);

        Future<int>[] futures = [.. Enumerable.Range(0, TaskCount).Select(_ => executor.Submit(static () => Environment.ProcessId))];
        int[] pids = [.. futures.Select(f => f.GetResult(TestTimeouts.Unexpected))];

        Dictionary<int, int> perWorker = pids.GroupBy(pid => pid).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(perWorker.Values, count => Assert.InRange(count, 1, MaxTasks));
        Assert.True(perWorker.Count >= TaskCount / MaxTasks, $"{perWorker.Count} workers ran {TaskCount} tasks.");
    }

    // ---- Map -------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void Map_ChunkSize_ReturnsResultsInInputOrder(int chunkSize)
    {
        List<int> results = [.. _executor.Map(static (int x) => x * x, Enumerable.Range(0, 50), timeout: TestTimeouts.Unexpected, chunkSize: chunkSize)];

        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), results);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void Map_ItemThrows_ThrowsWhenReachedAfterEarlierItemsWereYielded(int chunkSize)
    {
        IEnumerable<int> results = _executor.Map(static (int x) => x == 20 ? throw new InvalidOperationException("item 20") : x, Enumerable.Range(0, 40), timeout: TestTimeouts.Unexpected, chunkSize: chunkSize);
        var yielded = new List<int>();

        Exception? exception = Record.Exception(() =>
        {
            foreach (int result in results)
            {
                yielded.Add(result);
            }
        });

        Assert.Equal(Enumerable.Range(0, 20), yielded);
        InvalidOperationException invalid = Assert.IsType<InvalidOperationException>(exception);
        Assert.Equal("item 20", invalid.Message);
        Assert.IsType<RemoteTaskException>(invalid.InnerException);
    }

    [Fact]
    public void Map_ChunkSizeWithBufferSize_SubmitsOnlyThatManyChunksAhead()
    {
        const int ChunkSize = 4;
        const int BufferSize = 2;
        var pulled = new StrongBox<int>();

        IEnumerable<int> results = _executor.Map(static (int x) => x + 1, CountingSource(40, pulled), timeout: TestTimeouts.Unexpected, chunkSize: ChunkSize, bufferSize: BufferSize);
        int pulledAtCall = pulled.Value;
        using IEnumerator<int> enumerator = results.GetEnumerator();
        bool gotFirst = enumerator.MoveNext();
        int pulledAfterFirst = pulled.Value;
        var all = new List<int> { enumerator.Current };
        while (enumerator.MoveNext())
        {
            all.Add(enumerator.Current);
        }

        Assert.Equal(ChunkSize * BufferSize, pulledAtCall);
        Assert.True(gotFirst);
        Assert.Equal(ChunkSize * (BufferSize + 1), pulledAfterFirst);
        Assert.Equal(Enumerable.Range(1, 40), all);
    }

    [Theory]
    [InlineData(1, 40)]
    [InlineData(16, 16 * 20)]
    public void Map_EnumerationAbandoned_CancelsItemsNotYetSentToTheWorker(int chunkSize, int itemCount)
    {
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();
        string directory = gate.DirectoryPath;
        IEnumerable<int> results = executor.Map(
            x =>
            {
                CrossProcessGate.Enter(directory, block: x == 0);
                return x;
            },
            Enumerable.Range(0, itemCount),
            timeout: TestTimeouts.Unexpected,
            chunkSize: chunkSize);
        IEnumerator<int> enumerator = results.GetEnumerator();
        Assert.True(gate.WaitUntilEntered(1, TestTimeouts.Unexpected), "Item 0 should occupy the only worker.");

        enumerator.Dispose();
        gate.Open();
        executor.Shutdown(wait: true);

        // At most one window of calls (InFlightPerWorker, each a chunk) was written to the worker before the abandon.
        Assert.InRange(gate.EnteredCount, 1, ProcessPoolConstants.InFlightPerWorker * chunkSize);
        Assert.True(gate.EnteredCount < itemCount, "Items not yet sent to the worker must be canceled.");
    }

    [Fact]
    public void Map_ChunkSize_SerializesItemsOnlyWhenTheirChunkIsDispatched()
    {
        const int ChunkSize = 4;
        const int ItemCount = ChunkSize * 50;
        using var executor = new ProcessPoolExecutor(maxWorkers: 1);
        using var gate = new CrossProcessGate();
        string directory = gate.DirectoryPath;
        CountedItem[] items = [.. Enumerable.Range(0, ItemCount).Select(i => new CountedItem { Value = i })];

        IEnumerable<int> results = executor.Map(
            item =>
            {
                CrossProcessGate.Enter(directory, block: item.Value == 0);
                return item.Value;
            },
            items,
            timeout: TestTimeouts.Unexpected,
            chunkSize: ChunkSize);
        bool entered = gate.WaitUntilEntered(1, TestTimeouts.Unexpected);
        int serializedWhileBlocked = items.Count(item => item.Serializations > 0);
        gate.Open();
        List<int> all = [.. results];

        // The first chunk at the call, then at most one window of chunks written to the blocked worker.
        Assert.True(entered);
        Assert.InRange(serializedWhileBlocked, ChunkSize, ChunkSize * (1 + ProcessPoolConstants.InFlightPerWorker));
        Assert.Equal(Enumerable.Range(0, ItemCount), all);
        Assert.All(items, item => Assert.Equal(1, item.Serializations));
    }

    [Fact]
    public void Map_ChunkSizeItemOfWrongRuntimeTypeInALaterChunk_ThrowsArgumentExceptionAtCall()
    {
        Shape[] items = [.. Enumerable.Range(0, 100).Select(i => i == 70 ? new Circle { Size = i } : new Shape { Size = i })];

        var exception = Assert.Throws<ArgumentException>(() => _executor.Map(static (Shape x) => x.Size, items, chunkSize: 16));

        Assert.Equal("items", exception.ParamName);
        Assert.Contains(typeof(Circle).FullName!, exception.Message, StringComparison.Ordinal);
        AssertPoolStillWorks();
    }

    [Fact]
    public void Map_ChunkSizeFirstChunkCannotBeSerialized_ThrowsArgumentExceptionAtCall()
    {
        FragileItem[] items = [.. Enumerable.Range(0, 40).Select(i => new FragileItem { Value = i == 3 ? -1 : i })];

        var exception = Assert.Throws<ArgumentException>(() => _executor.Map(static (FragileItem x) => x.Value, items, chunkSize: 16));

        Assert.Equal("items", exception.ParamName);
        Assert.Contains("negative", exception.ToString(), StringComparison.Ordinal);
        AssertPoolStillWorks();
    }

    [Fact]
    public void Map_ChunkSizeItemInALaterChunkCannotBeSerialized_ThrowsArgumentExceptionWhenItsChunkIsReached()
    {
        const int ChunkSize = 16;
        FragileItem[] items = [.. Enumerable.Range(0, ChunkSize * 6).Select(i => new FragileItem { Value = i == 40 ? -1 : i })];
        IEnumerable<int> results = _executor.Map(static (FragileItem x) => x.Value, items, timeout: TestTimeouts.Unexpected, chunkSize: ChunkSize);
        var yielded = new List<int>();

        Exception? exception = Record.Exception(() =>
        {
            foreach (int result in results)
            {
                yielded.Add(result);
            }
        });

        // Item 40 is in the third chunk (32..47): the chunks before it are yielded, then its chunk fails.
        ArgumentException argument = Assert.IsType<ArgumentException>(exception);
        Assert.Equal("items", argument.ParamName);
        Assert.Contains("negative", argument.ToString(), StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 2 * ChunkSize), yielded);
        AssertPoolStillWorks();
    }

    private static int Square(int x) => x * x;

    private static T Mirror<T>(T value)
        where T : IMirrorable<T> => value.Mirror();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ThrowBoom() => throw new InvalidOperationException("boom");

    private static void ThrowingInitializer() => throw new InvalidOperationException("initializer failed");

    // The factories below give each lambda a closure of its own: a lambda written inside a test
    // shares its closure with every other lambda of that scope (and 'this' when one reads a field),
    // and the whole closure is what travels.
    private static Func<int> CapturingThread(Thread thread) => () => thread.ManagedThreadId;

    private static Func<bool> CapturingEvent(ManualResetEventSlim signal) => () => signal.IsSet;

    private static Action InitializerMarking(string directory) => () => MarkInitialized(directory);

    private static Func<int> BlockingOn(string gateDirectory) => () =>
    {
        CrossProcessGate.Enter(gateDirectory, block: true);
        return 2;
    };

    private static Func<int, int> EnteringWithoutBlocking(string gateDirectory) => x =>
    {
        CrossProcessGate.Enter(gateDirectory, block: false);
        return x;
    };

    /// <summary>Runs in the worker as its initializer: records its pid once, and sets a variable its tasks read.</summary>
    private static void MarkInitialized(string directory)
    {
        string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(directory, "init-" + Guid.NewGuid().ToString("N")), pid);
        Environment.SetEnvironmentVariable(InitializerVariable, "set");
    }

    private static IEnumerable<int> CountingSource(int count, StrongBox<int> pulled)
    {
        for (int i = 0; i < count; i++)
        {
            pulled.Value++;
            yield return i;
        }
    }

    /// <summary>Starts both workers of a two-worker pool: two slow tasks at once cannot share one worker's first round.</summary>
    private static void StartBothWorkers(ProcessPoolExecutor executor)
    {
        var pids = new HashSet<int>();
        for (int round = 0; round < 20 && pids.Count < 2; round++)
        {
            Future<int>[] probes = [.. Enumerable.Range(0, 2).Select(_ => executor.Submit(static () =>
            {
                Thread.Sleep(100);
                return Environment.ProcessId;
            }))];
            pids.UnionWith(probes.Select(f => f.GetResult(TestTimeouts.Unexpected)));
        }

        Assert.Equal(2, pids.Count);
    }

    private void AssertPoolStillWorks() =>
        Assert.Equal(9, _executor.Submit(static (int x) => x * x, 3).GetResult(TestTimeouts.Unexpected));

    /// <summary>A user interface for the generic-method test.</summary>
    /// <typeparam name="T">The implementing type.</typeparam>
    public interface IMirrorable<out T>
    {
        T Mirror();
    }

    /// <summary>A record: serialized without attributes.</summary>
    public sealed record Point(int X, int Y) : IMirrorable<Point>
    {
        public Point Mirror() => new(Y, X);
    }

    /// <summary>A plain class whose serialization (in the parent) is counted: reading <see cref="Value"/> is what the serializer does.</summary>
    public sealed class CountedItem
    {
        private int _value;
        private int _serializations;

        public int Value
        {
            get
            {
                Interlocked.Increment(ref _serializations);
                return _value;
            }

            set => _value = value;
        }

        [IgnoreMember]
        public int Serializations => Volatile.Read(ref _serializations);
    }

    /// <summary>A plain class with a subclass: a <see cref="Circle"/> declared as a <see cref="Shape"/> would arrive as a <see cref="Shape"/>, so it is refused.</summary>
    public class Shape
    {
        public int Size { get; set; }
    }

    /// <summary>A subclass of <see cref="Shape"/>.</summary>
    public sealed class Circle : Shape;

    /// <summary>A plain class that cannot be serialized while <see cref="Value"/> is negative: its getter throws.</summary>
    public sealed class FragileItem
    {
        private int _value;

        public int Value
        {
            get => _value < 0 ? throw new InvalidOperationException("negative value") : _value;
            set => _value = value;
        }
    }

    /// <summary>A plain class: serialized without attributes.</summary>
    public sealed class Person
    {
        public string Name { get; set; } = string.Empty;

        public int Age { get; set; }
    }

    /// <summary>A serializable object whose instance method is submitted.</summary>
    public sealed class Multiplier
    {
        public int Factor { get; set; }

        public int Apply(int value) => value * Factor;
    }

    /// <summary>A MessagePack-attributed type: serialized by its keys.</summary>
    [MessagePackObject]
    public sealed class Order
    {
        [Key(0)]
        public int Id { get; set; }

        [Key(1)]
        public string Item { get; set; } = string.Empty;

        [Key(2)]
        public int Quantity { get; set; }
    }

    /// <summary>An exception the parent cannot rebuild: it has no (string, Exception) constructor.</summary>
    [SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "The test needs an exception with only a (string) constructor.")]
    public sealed class MessageOnlyException(string message) : Exception(message);
}
