using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Executors.Tests.TestUtilities;

namespace Executors.Tests.Contract;

/// <summary>
/// The <see cref="IExecutor"/> contract (runtime's <c>ChannelTestBase</c> idea): every Submit, Map,
/// Shutdown and Dispose rule, written once. Each executor (thread pool, process pool, the
/// <c>Executors.Testing</c> fakes) derives a class that only says how to create it.
/// </summary>
/// <remarks>
/// <para>
/// The work submitted here is kept executor-agnostic: small lambdas that capture at most a few
/// integers (most are <see langword="static"/>), so that an executor which runs work elsewhere can
/// run the same contract. The exceptions are the re-entrancy tests at the end, which by definition
/// capture the executor itself; <see cref="TasksCanUseTheirExecutor"/> turns them into checks
/// that such a delegate is refused where it cannot run.
/// </para>
/// <para>
/// Hooks for executors that run work in another process: <see cref="CreateGate"/> (blocking a worker
/// and counting calls), <see cref="AssertTaskException"/> (how a task's exception reaches the caller)
/// and <see cref="StartedAheadAllowance"/> (work dispatched ahead that can no longer be canceled).
/// </para>
/// <para>
/// Capability switches for the <c>Executors.Testing</c> executors, which keep the contract but not every
/// assumption the tests make about workers: <see cref="RunsTasksInline"/> (no worker: <c>Submit</c> runs
/// the task before it returns) and <see cref="StartsWorkInSubmissionOrder"/> (a free worker may take any
/// pending task, not the oldest). A test whose rule cannot hold under a switch says so where it
/// returns early, and docs/design/0006-testing-executors.md lists each one and why.
/// </para>
/// </remarks>
public abstract class ExecutorContractTests
{
    /// <summary>Gets how many submitted-but-not-yet-started calls the executor may already have
    /// handed to a worker, so that they can no longer be canceled (CPython's process pool keeps
    /// <c>EXTRA_QUEUED_CALLS</c> in its call queue). 0 for executors that start work only when a
    /// worker picks it up.</summary>
    protected virtual int StartedAheadAllowance => 0;

    /// <summary>Gets a value indicating whether a task may capture its own executor and use it
    /// (submit to it, shut it down). An executor that runs tasks in another process cannot ship a
    /// delegate that captures the executor: there the re-entrancy tests assert the documented
    /// alternative instead, <c>Submit</c> refusing such a delegate with an <see cref="ArgumentException"/>
    /// while the executor stays usable.</summary>
    protected virtual bool TasksCanUseTheirExecutor => true;

    /// <summary>Gets a value indicating whether <c>Submit</c> runs the task on the calling thread, before
    /// it returns (<c>InlineExecutor</c>). Such an executor has no queue and no worker: a task blocked
    /// on the gate holds the thread that submitted it. Tests that need a task running while the test
    /// thread goes on then submit it from a helper thread (<see cref="StartBlockingTask"/>); tests whose
    /// rule is about work waiting for a worker do not apply.</summary>
    protected virtual bool RunsTasksInline => false;

    /// <summary>Gets a value indicating whether a free worker always starts the oldest pending task, as
    /// CPython's pools and ours do. <c>SeededExecutor</c> picks a pending task at random on purpose;
    /// the tests that rely on "item 0 runs first" do not apply to it, and order-free tests state the
    /// same rules for every executor.</summary>
    protected virtual bool StartsWorkInSubmissionOrder => true;

    /// <summary>Creates the executor under test.</summary>
    /// <param name="maxWorkers">The maximum number of workers.</param>
    /// <returns>A new executor.</returns>
    protected abstract IExecutor CreateExecutor(int maxWorkers);

    /// <summary>
    /// Creates a gate that blocks tasks until the test opens it and counts how many calls entered it.
    /// The default is in-process: a static registry of gates keyed by an integer id, so the lambdas
    /// it hands out capture only integers. Process-based executors override this with a gate the
    /// worker process can see (a file or a named OS primitive).
    /// </summary>
    /// <returns>A closed gate. Declare it after the executor (<c>using</c>), so that it opens before the executor's Dispose waits for the work.</returns>
    protected virtual TaskGate CreateGate() => new InProcessTaskGate();

    /// <summary>
    /// Asserts that <paramref name="actual"/> is how this executor reports a task that threw
    /// <c>new InvalidOperationException(expectedMessage)</c>. The default expects that exception
    /// itself; a process pool overrides it to expect its remote-exception wrapper.
    /// </summary>
    /// <param name="actual">The exception the caller observed.</param>
    /// <param name="expectedMessage">The message the task's exception was created with.</param>
    protected virtual void AssertTaskException(Exception? actual, string expectedMessage)
    {
        InvalidOperationException exception = Assert.IsType<InvalidOperationException>(actual);
        Assert.Equal(expectedMessage, exception.Message);
    }

    // ---- Submit ----------------------------------------------------------------------------------

    [Fact]
    public void Submit_Func_FutureFinishesWithResult()
    {
        using IExecutor executor = CreateExecutor(2);

        Future<int> future = executor.Submit(static () => 6 * 7);

        Assert.Equal(42, future.GetResult(TestTimeouts.Unexpected));
        Assert.Equal(FutureState.Finished, future.State);
    }

    [Fact]
    public void Submit_FuncWithArgument_FutureFinishesWithResult()
    {
        using IExecutor executor = CreateExecutor(2);

        Future<string> future = executor.Submit(static (int x) => (x * 2).ToString(System.Globalization.CultureInfo.InvariantCulture), 21);

        Assert.Equal("42", future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Submit_Action_FutureFinishesWithoutException()
    {
        using IExecutor executor = CreateExecutor(2);

        Future future = executor.Submit(static () => { });

        Assert.Null(future.GetException(TestTimeouts.Unexpected));
        Assert.Equal(FutureState.Finished, future.State);
    }

    [Fact]
    public void Submit_Action_ReturnsAValueLessFuture()
    {
        using IExecutor executor = CreateExecutor(2);

        Future future = executor.Submit(static () => { });

        // IExecutor promises a value-less future: no Future<TResult> whose result a caller could read.
        for (Type? type = future.GetType(); type is not null; type = type.BaseType)
        {
            Assert.False(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Future<>), $"{future.GetType()} is a Future<TResult>.");
        }
    }

    [Fact]
    public void Submit_FuncThrows_GetResultThrowsTaskException()
    {
        using IExecutor executor = CreateExecutor(2);

        Future<int> future = executor.Submit<int>(static () => throw new InvalidOperationException("func failed"));

        AssertTaskException(Record.Exception(() => future.GetResult(TestTimeouts.Unexpected)), "func failed");
        AssertTaskException(future.GetException(TimeSpan.Zero), "func failed");
        Assert.Equal(FutureState.Finished, future.State);
    }

    [Fact]
    public void Submit_FuncWithArgumentThrows_GetExceptionReturnsTaskException()
    {
        using IExecutor executor = CreateExecutor(2);

        Future<int> future = executor.Submit<int, int>(static x => throw new InvalidOperationException("arg " + x), 7);

        AssertTaskException(future.GetException(TestTimeouts.Unexpected), "arg 7");
    }

    [Fact]
    public void Submit_ActionThrows_GetExceptionReturnsTaskException()
    {
        using IExecutor executor = CreateExecutor(2);

        Future future = executor.Submit(static () => throw new InvalidOperationException("action failed"));

        AssertTaskException(future.GetException(TestTimeouts.Unexpected), "action failed");
    }

    [Fact]
    public void Submit_NullFunc_ThrowsArgumentNullException()
    {
        using IExecutor executor = CreateExecutor(1);

        var exception = Assert.Throws<ArgumentNullException>(() => executor.Submit((Func<int>)null!));

        Assert.Equal("fn", exception.ParamName);
    }

    [Fact]
    public void Submit_NullFuncWithArgument_ThrowsArgumentNullException()
    {
        using IExecutor executor = CreateExecutor(1);

        var exception = Assert.Throws<ArgumentNullException>(() => executor.Submit((Func<int, int>)null!, 1));

        Assert.Equal("fn", exception.ParamName);
    }

    [Fact]
    public void Submit_NullAction_ThrowsArgumentNullException()
    {
        using IExecutor executor = CreateExecutor(1);

        var exception = Assert.Throws<ArgumentNullException>(() => executor.Submit((Action)null!));

        Assert.Equal("fn", exception.ParamName);
    }

    [Fact]
    public void Submit_MoreTasksThanWorkers_AllFinishWithTheirResults()
    {
        using IExecutor executor = CreateExecutor(2);

        Future<int>[] futures = [.. Enumerable.Range(0, 50).Select(i => executor.Submit(static (int x) => x * x, i))];

        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * i), futures.Select(f => f.GetResult(TestTimeouts.Unexpected)));
    }

    // ---- Map ---------------------------------------------------------------------------------------

    [Fact]
    public void Map_Items_ReturnsResultsInInputOrder()
    {
        using IExecutor executor = CreateExecutor(3);

        List<int> results = [.. executor.Map(static (int x) => x * 10, Enumerable.Range(0, 20))];

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * 10), results);
    }

    [Fact]
    public void Map_FirstItemFinishesLast_StillYieldsResultsInInputOrder()
    {
        if (RunsTasksInline)
        {
            // Not applicable: inline, item 0 blocks the Map call itself, so no later item can finish first (docs/design/0006).
            return;
        }

        using IExecutor executor = CreateExecutor(3);
        using TaskGate gate = CreateGate();
        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: 0), Enumerable.Range(0, 6), timeout: TestTimeouts.Unexpected);
        Assert.True(gate.WaitUntilEntered(6, TestTimeouts.Unexpected), "Every item should have started while item 0 is blocked.");

        gate.Open();
        List<int> ordered = [.. results];

        Assert.Equal(new[] { 0, 10, 20, 30, 40, 50 }, ordered);
    }

    [Fact]
    public void Map_LaterItemStillBlocked_YieldsEarlierResultFirst()
    {
        if (RunsTasksInline)
        {
            // Not applicable: inline, every item has run before Map returns, so no result is still being computed (docs/design/0006).
            return;
        }

        using IExecutor executor = CreateExecutor(2);
        using TaskGate gate = CreateGate();
        // The timeout bounds the wait if the results were not lazy (an eager wait would block on item 1).
        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: 1), new[] { 0, 1 }, timeout: TestTimeouts.Unexpected);
        using IEnumerator<int> enumerator = results.GetEnumerator();

        bool gotFirst = enumerator.MoveNext();
        int first = enumerator.Current;
        gate.Open();
        bool gotSecond = enumerator.MoveNext();
        int second = enumerator.Current;
        bool gotThird = enumerator.MoveNext();

        Assert.True(gotFirst);
        Assert.Equal(0, first);
        Assert.True(gotSecond);
        Assert.Equal(10, second);
        Assert.False(gotThird);
    }

    [Fact]
    public void Map_TaskThrows_ExceptionSurfacesWhenItsResultIsReached()
    {
        using IExecutor executor = CreateExecutor(2);
        IEnumerable<int> results = executor.Map(static (int x) => x == 2 ? throw new InvalidOperationException("item 2 failed") : x, Enumerable.Range(0, 5));
        var yielded = new List<int>();

        Exception? exception = Record.Exception(() =>
        {
            foreach (int result in results)
            {
                yielded.Add(result);
            }
        });

        Assert.Equal(new[] { 0, 1 }, yielded);
        AssertTaskException(exception, "item 2 failed");
    }

    [Fact]
    public void Map_TimeoutPassesBeforeResult_EnumerationThrowsTimeoutException()
    {
        if (RunsTasksInline)
        {
            // Not applicable: inline, every result exists before it is awaited, so a Map timeout never passes (docs/design/0006).
            return;
        }

        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: 0), new[] { 0, 1 }, timeout: TestTimeouts.Expected);

        Exception? exception = Record.Exception(() => results.ToList());

        Assert.IsType<TimeoutException>(exception);
    }

    [Fact]
    public void Map_TimeoutNotReached_ReturnsAllResults()
    {
        using IExecutor executor = CreateExecutor(2);

        List<int> results = [.. executor.Map(static (int x) => x + 1, Enumerable.Range(0, 10), timeout: TestTimeouts.Unexpected)];

        Assert.Equal(Enumerable.Range(1, 10), results);
    }

    [Fact]
    public void Map_NegativeTimeout_ThrowsArgumentOutOfRangeExceptionAtCall()
    {
        using IExecutor executor = CreateExecutor(1);
        var pulled = new StrongBox<int>();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => executor.Map(static (int x) => x, CountingSource(5, pulled), timeout: TimeSpan.FromMilliseconds(-2)));

        Assert.Equal("timeout", exception.ParamName);
        Assert.Equal(0, pulled.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Map_ChunkSizeLessThanOne_ThrowsArgumentOutOfRangeExceptionAtCall(int chunkSize)
    {
        using IExecutor executor = CreateExecutor(1);
        var pulled = new StrongBox<int>();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => executor.Map(static (int x) => x, CountingSource(5, pulled), chunkSize: chunkSize));

        Assert.Equal("chunkSize", exception.ParamName);
        Assert.Equal(0, pulled.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Map_BufferSizeLessThanOne_ThrowsArgumentOutOfRangeExceptionAtCall(int bufferSize)
    {
        using IExecutor executor = CreateExecutor(1);
        var pulled = new StrongBox<int>();

        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => executor.Map(static (int x) => x, CountingSource(5, pulled), bufferSize: bufferSize));

        Assert.Equal("bufferSize", exception.ParamName);
        Assert.Equal(0, pulled.Value);
    }

    [Fact]
    public void Map_NullFunction_ThrowsArgumentNullException()
    {
        using IExecutor executor = CreateExecutor(1);

        var exception = Assert.Throws<ArgumentNullException>(() => executor.Map((Func<int, int>)null!, new[] { 1 }));

        Assert.Equal("fn", exception.ParamName);
    }

    [Fact]
    public void Map_NullItems_ThrowsArgumentNullException()
    {
        using IExecutor executor = CreateExecutor(1);

        var exception = Assert.Throws<ArgumentNullException>(() => executor.Map(static (int x) => x, (IEnumerable<int>)null!));

        Assert.Equal("items", exception.ParamName);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100)]
    public void Map_ChunkSizeGreaterThanOne_ReturnsResultsInInputOrder(int chunkSize)
    {
        using IExecutor executor = CreateExecutor(2);

        List<int> results = [.. executor.Map(static (int x) => -x, Enumerable.Range(0, 11), chunkSize: chunkSize)];

        Assert.Equal(Enumerable.Range(0, 11).Select(x => -x), results);
    }

    [Fact]
    public void Map_WithoutBufferSize_ReadsEveryItemAtCall()
    {
        using IExecutor executor = CreateExecutor(2);
        var pulled = new StrongBox<int>();

        IEnumerable<int> results = executor.Map(static (int x) => x * 3, CountingSource(7, pulled));
        int pulledAtCall = pulled.Value;

        Assert.Equal(7, pulledAtCall);
        Assert.Equal(Enumerable.Range(0, 7).Select(x => x * 3), results);
    }

    [Fact]
    public void Map_BufferSize_ReadsOnlyThatManyItemsBeforeConsumption()
    {
        using IExecutor executor = CreateExecutor(2);
        var pulled = new StrongBox<int>();

        IEnumerable<int> results = executor.Map(static (int x) => x * 3, CountingSource(6, pulled), bufferSize: 2);
        int pulledAtCall = pulled.Value;
        using IEnumerator<int> enumerator = results.GetEnumerator();
        bool gotFirst = enumerator.MoveNext();
        int pulledAfterFirst = pulled.Value;
        var rest = new List<int> { enumerator.Current };
        while (enumerator.MoveNext())
        {
            rest.Add(enumerator.Current);
        }

        Assert.Equal(2, pulledAtCall);
        Assert.True(gotFirst);
        Assert.Equal(3, pulledAfterFirst);
        Assert.Equal(6, pulled.Value);
        Assert.Equal(new[] { 0, 3, 6, 9, 12, 15 }, rest);
    }

    [Fact]
    public void Map_BufferSizeWithBlockedWorker_DoesNotReadAhead()
    {
        if (RunsTasksInline)
        {
            // Not applicable: inline, a blocked item blocks the Map call that submits it (docs/design/0006).
            return;
        }

        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        var pulled = new StrongBox<int>();

        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: 0), CountingSource(10, pulled), timeout: TestTimeouts.Unexpected, bufferSize: 3);
        bool entered = gate.WaitUntilEntered(1, TestTimeouts.Unexpected);
        int pulledWhileBlocked = pulled.Value;
        gate.Open();
        List<int> all = [.. results];

        Assert.True(entered);
        Assert.Equal(3, pulledWhileBlocked);
        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * 10), all);
    }

    [Fact]
    public void Map_EnumerationAbandoned_CancelsWorkNotStarted()
    {
        if (RunsTasksInline || !StartsWorkInSubmissionOrder)
        {
            // Not applicable: inline, every submitted item has run; and without FIFO item 1 may take the only worker before item 0 (docs/design/0006).
            return;
        }

        const int ItemCount = 8;
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: 1), Enumerable.Range(0, ItemCount), timeout: TestTimeouts.Unexpected);
        IEnumerator<int> enumerator = results.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Equal(0, enumerator.Current);
        Assert.True(gate.WaitUntilEntered(2, TestTimeouts.Unexpected), "Item 1 should occupy the only worker.");

        enumerator.Dispose();
        gate.Open();
        executor.Shutdown(wait: true);

        // Items 0 and 1 ran; items 2.. were submitted at the Map call but never started.
        Assert.InRange(gate.EnteredCount, 2, 2 + StartedAheadAllowance);
    }

    [Fact]
    public void Map_TimeoutPasses_CancelsWorkNotStarted()
    {
        if (RunsTasksInline || !StartsWorkInSubmissionOrder)
        {
            // Not applicable: inline, no timeout passes; and without FIFO other items may run before item 0 blocks (docs/design/0006).
            return;
        }

        const int ItemCount = 6;
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();

        // Start the worker first: a process pool starts it on demand, which on a loaded machine can
        // take longer than the short Map timeout, and then not even item 0 would have started.
        executor.Submit(static () => 0).GetResult(TestTimeouts.Unexpected);
        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: 0), Enumerable.Range(0, ItemCount), timeout: TestTimeouts.Expected);

        Exception? exception = Record.Exception(() => results.ToList());
        gate.Open();
        executor.Shutdown(wait: true);

        Assert.IsType<TimeoutException>(exception);
        Assert.InRange(gate.EnteredCount, 1, 1 + StartedAheadAllowance);
    }

    [Fact]
    public void Map_EnumerationAbandonedWhileTheOnlyWorkerIsBusy_CancelsEveryItem()
    {
        if (RunsTasksInline)
        {
            // Not applicable: inline, no item ever waits for a worker (docs/design/0006).
            return;
        }

        // The order-free form of Map_EnumerationAbandoned_CancelsWorkNotStarted: the only worker is held
        // before Map is called, so no item can have started, whichever one a worker would take first.
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle blocker = StartBlockingTask(executor, gate, 0);
        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: -1), Enumerable.Range(0, 8), timeout: TestTimeouts.Unexpected);

        results.GetEnumerator().Dispose();
        gate.Open();
        executor.Shutdown(wait: true);

        Assert.Equal(0, blocker.Future.GetResult(TestTimeouts.Unexpected));
        Assert.InRange(gate.EnteredCount, 1, 1 + StartedAheadAllowance);
    }

    [Fact]
    public void Map_TimeoutPassesWhileTheOnlyWorkerIsBusy_CancelsEveryItem()
    {
        if (RunsTasksInline)
        {
            // Not applicable: inline, no item ever waits for a worker (docs/design/0006).
            return;
        }

        // The order-free form of Map_TimeoutPasses_CancelsWorkNotStarted.
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle blocker = StartBlockingTask(executor, gate, 0);
        IEnumerable<int> results = executor.Map(gate.MapFunction(blockedItem: -1), Enumerable.Range(0, 6), timeout: TestTimeouts.Expected);

        Exception? exception = Record.Exception(() => results.ToList());
        gate.Open();
        executor.Shutdown(wait: true);

        Assert.IsType<TimeoutException>(exception);
        Assert.Equal(0, blocker.Future.GetResult(TestTimeouts.Unexpected));
        Assert.InRange(gate.EnteredCount, 1, 1 + StartedAheadAllowance);
    }

    [Fact]
    public void Map_EnumeratedTwice_ThrowsInvalidOperationException()
    {
        using IExecutor executor = CreateExecutor(2);
        IEnumerable<int> results = executor.Map(static (int x) => x, Enumerable.Range(0, 3));
        List<int> first = [.. results];

        var exception = Record.Exception(() => results.GetEnumerator());

        Assert.Equal(new[] { 0, 1, 2 }, first);
        Assert.IsType<InvalidOperationException>(exception);
    }

    [Fact]
    public void Map_EmptyInput_YieldsNothing()
    {
        using IExecutor executor = CreateExecutor(1);

        List<int> results = [.. executor.Map(static (int x) => x, Array.Empty<int>())];

        Assert.Empty(results);
    }

    [Fact]
    public void Map_EmptyInputWithBufferSize_YieldsNothing()
    {
        using IExecutor executor = CreateExecutor(1);

        List<int> results = [.. executor.Map(static (int x) => x, Array.Empty<int>(), timeout: TestTimeouts.Unexpected, bufferSize: 1)];

        Assert.Empty(results);
    }

    // ---- Shutdown, Dispose, DisposeAsync -----------------------------------------------------------

    [Fact]
    public void Submit_AfterShutdown_ThrowsObjectDisposedException()
    {
        using IExecutor executor = CreateExecutor(1);

        executor.Shutdown();

        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 1));
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static (int x) => x, 1));
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => { }));
    }

    [Fact]
    public void Map_AfterShutdown_ThrowsObjectDisposedExceptionAtCall()
    {
        using IExecutor executor = CreateExecutor(1);
        var pulled = new StrongBox<int>();

        executor.Shutdown(wait: false);

        Assert.Throws<ObjectDisposedException>(() => executor.Map(static (int x) => x, CountingSource(3, pulled)));
        Assert.Throws<ObjectDisposedException>(() => executor.Map(static (int x) => x, Array.Empty<int>()));
        Assert.Equal(0, pulled.Value);
    }

    [Fact]
    public void Submit_AfterDispose_ThrowsObjectDisposedException()
    {
        IExecutor executor = CreateExecutor(1);

        executor.Dispose();

        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 1));
    }

    [Fact]
    public async Task Submit_AfterDisposeAsync_ThrowsObjectDisposedException()
    {
        IExecutor executor = CreateExecutor(1);

        await executor.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Unexpected);

        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 1));
    }

    [Fact]
    public void Shutdown_WaitTrue_BlocksUntilRunningAndQueuedWorkFinished()
    {
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle running = StartBlockingTask(executor, gate, 1);
        Future<int>[] queued = [.. Enumerable.Range(2, 4).Select(i => executor.Submit(static (int x) => x, i))];

        Task shutdown = Task.Run(() => executor.Shutdown(wait: true));
        bool returnedWhileBlocked = shutdown.Wait(TestTimeouts.Expected);
        gate.Open();
        bool returnedAfterOpen = shutdown.Wait(TestTimeouts.Unexpected);

        Assert.False(returnedWhileBlocked);
        Assert.True(returnedAfterOpen);
        Assert.Equal(FutureState.Finished, running.Future.State);
        Assert.All(queued, f => Assert.Equal(FutureState.Finished, f.State));
        Assert.Equal(new[] { 2, 3, 4, 5 }, queued.Select(f => f.GetResult(TimeSpan.Zero)));
    }

    [Fact]
    public void Shutdown_WaitFalse_ReturnsWhileWorkRunsAndQueuedWorkStillCompletes()
    {
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle running = StartBlockingTask(executor, gate, 1);
        Future<int> queued = executor.Submit(static () => 2);

        bool returned = Task.Run(() => executor.Shutdown(wait: false)).Wait(TestTimeouts.Unexpected);
        bool runningDoneAtReturn = running.IsDone;
        gate.Open();

        Assert.True(returned);
        Assert.False(runningDoneAtReturn);
        Assert.Equal(1, running.Future.GetResult(TestTimeouts.Unexpected));
        Assert.Equal(2, queued.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Shutdown_CancelFutures_CancelsQueuedWorkNotStarted()
    {
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle running = StartBlockingTask(executor, gate, -1);
        Future<int>[] queued = [.. Enumerable.Range(0, 8).Select(i => executor.Submit(static (int x) => x, i))];
        Future<int>[] pending = [.. queued.Where(f => f.State == FutureState.Pending)];

        executor.Shutdown(wait: false, cancelFutures: true);
        bool[] canceled = [.. pending.Select(f => f.IsCanceled)];
        bool runningCanceled = running.IsCanceled;
        gate.Open();

        AssertQueuedWhileWorkerBusy(pending.Length, queued.Length);
        Assert.All(canceled, Assert.True);
        Assert.All(pending, f => Assert.Throws<OperationCanceledException>(() => f.GetResult(TestTimeouts.Unexpected)));
        Assert.False(runningCanceled);
        Assert.Equal(-1, running.Future.GetResult(TestTimeouts.Unexpected));
        Assert.All(queued.Except(pending), f => Assert.Equal(f.GetResult(TestTimeouts.Unexpected), Array.IndexOf(queued, f)));
    }

    [Fact]
    public void Shutdown_CancelFuturesWithWaitTrue_ReturnsAfterRunningWorkFinished()
    {
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle running = StartBlockingTask(executor, gate, 1);
        Future<int> queued = executor.Submit(static () => 2);
        bool queuedWasPending = queued.State == FutureState.Pending;

        Task shutdown = Task.Run(() => executor.Shutdown(wait: true, cancelFutures: true));

        // Shutdown cancels as it starts. Wait for that before opening the gate: on a starved .NET thread
        // pool the Task.Run above can start hundreds of milliseconds late, after the gate opened and the
        // freed worker took the queued task (seen on the 2-core machine for every executor).
        bool canceledBeforeOpen = !queuedWasPending || SpinWait.SpinUntil(() => queued.IsCanceled, TestTimeouts.Unexpected);
        bool returnedWhileBlocked = shutdown.Wait(TestTimeouts.Expected);
        gate.Open();
        bool returnedAfterOpen = shutdown.Wait(TestTimeouts.Unexpected);

        Assert.True(canceledBeforeOpen, "A queued future that had not started must be canceled.");
        Assert.False(returnedWhileBlocked);
        Assert.True(returnedAfterOpen);
        Assert.Equal(1, running.Future.GetResult(TimeSpan.Zero));
        Assert.True(!queuedWasPending || queued.IsCanceled, "A queued future that had not started must be canceled.");
    }

    [Theory]
    [InlineData(true, false, true, false)]
    [InlineData(false, false, true, false)]
    [InlineData(true, false, false, true)]
    [InlineData(false, true, true, true)]
    [InlineData(true, true, false, false)]
    public void Shutdown_CalledTwice_SecondCallSucceeds(bool firstWait, bool firstCancel, bool secondWait, bool secondCancel)
    {
        using IExecutor executor = CreateExecutor(2);
        Future<int> done = executor.Submit(static () => 5);
        Assert.Equal(5, done.GetResult(TestTimeouts.Unexpected));
        executor.Shutdown(firstWait, firstCancel);

        Exception? second = Record.Exception(() => executor.Shutdown(secondWait, secondCancel));

        Assert.Null(second);
        Assert.Equal(5, done.GetResult(TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 1));
    }

    [Fact]
    public void Shutdown_SecondCallWithCancelFutures_CancelsWorkStillQueued()
    {
        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle running = StartBlockingTask(executor, gate, 0);
        Future<int>[] queued = [.. Enumerable.Range(1, 6).Select(i => executor.Submit(static (int x) => x, i))];
        executor.Shutdown(wait: false);
        Future<int>[] pending = [.. queued.Where(f => f.State == FutureState.Pending)];

        executor.Shutdown(wait: false, cancelFutures: true);
        bool[] canceled = [.. pending.Select(f => f.IsCanceled)];
        gate.Open();

        AssertQueuedWhileWorkerBusy(pending.Length, queued.Length);
        Assert.All(canceled, Assert.True);
        Assert.Equal(0, running.Future.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Shutdown_AfterDispose_DoesNothing()
    {
        using IExecutor executor = CreateExecutor(1);
        Future<int> done = executor.Submit(static () => 3);
        executor.Dispose();

        Exception? exception = Record.Exception(() => executor.Shutdown(wait: true, cancelFutures: true));

        Assert.Null(exception);
        Assert.Equal(3, done.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public void Dispose_WorkRunningAndQueued_BlocksUntilAllFinishedLikeShutdownWaitTrue()
    {
        IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle running;
        Future<int> queued;
        try
        {
            running = StartBlockingTask(executor, gate, 1);
            queued = executor.Submit(static () => 2);

            Task dispose = Task.Run(executor.Dispose);
            bool returnedWhileBlocked = dispose.Wait(TestTimeouts.Expected);
            gate.Open();
            bool returnedAfterOpen = dispose.Wait(TestTimeouts.Unexpected);

            Assert.False(returnedWhileBlocked);
            Assert.True(returnedAfterOpen);
        }
        finally
        {
            gate.Open();
            executor.Dispose();
        }

        Assert.Equal(1, running.Future.GetResult(TimeSpan.Zero));
        Assert.Equal(2, queued.GetResult(TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 1));
    }

    [Fact]
    public void Dispose_CalledTwice_DoesNotThrow()
    {
        IExecutor executor = CreateExecutor(1);
        executor.Dispose();

        Exception? exception = Record.Exception(executor.Dispose);

        Assert.Null(exception);
    }

    [Fact]
    public async Task DisposeAsync_WorkRunning_CompletesOnlyAfterWorkFinished()
    {
        await using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        BlockingTaskHandle running = StartBlockingTask(executor, gate, 7);
        Future<int> queued = executor.Submit(static () => 8);

        // Called on another thread so that a DisposeAsync that blocked would fail the test, not hang it.
        Task<ValueTask> call = Task.Run(executor.DisposeAsync);
        bool callReturned = call.Wait(TestTimeouts.Unexpected);
        Task disposal = (await call).AsTask();
        Task firstToFinish = await Task.WhenAny(disposal, Task.Delay(TestTimeouts.Expected));
        gate.Open();
        await disposal.WaitAsync(TestTimeouts.Unexpected);

        Assert.True(callReturned);
        Assert.NotSame(disposal, firstToFinish);
        Assert.Equal(7, running.Future.GetResult(TimeSpan.Zero));
        Assert.Equal(8, queued.GetResult(TimeSpan.Zero));
    }

    [Fact]
    public async Task DisposeAsync_CalledTwice_BothComplete()
    {
        IExecutor executor = CreateExecutor(1);
        await executor.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Unexpected);

        Exception? exception = await Record.ExceptionAsync(() => executor.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Unexpected));

        Assert.Null(exception);
    }

    // ---- Re-entrancy: a task using its own executor ------------------------------------------------

    [Fact]
    public void Submit_FromTaskOnSameExecutor_InnerTaskRuns()
    {
        using IExecutor executor = CreateExecutor(1);
        if (!TasksCanUseTheirExecutor)
        {
            AssertSubmitRefusesExecutorCapture(() => executor.Submit(() => executor.Submit(static () => 42)));
            Assert.Equal(42, executor.Submit(static () => 42).GetResult(TestTimeouts.Unexpected));
            return;
        }

        Future<Future<int>> outer = executor.Submit(() => executor.Submit(static () => 42));

        Future<int> inner = outer.GetResult(TestTimeouts.Unexpected);
        Assert.Equal(42, inner.GetResult(TestTimeouts.Unexpected));
    }

    [Fact]
    public void Shutdown_WaitTrueFromTaskOnSameExecutor_DoesNotDeadlock()
    {
        using IExecutor executor = CreateExecutor(2);
        Assert.Equal(1, executor.Submit(static () => 1).GetResult(TestTimeouts.Unexpected));
        if (!TasksCanUseTheirExecutor)
        {
            AssertSubmitRefusesExecutorCapture(() => executor.Submit(() => executor.Shutdown(wait: true)));
            Assert.Equal(2, executor.Submit(static () => 2).GetResult(TestTimeouts.Unexpected));
            return;
        }

        Future selfShutdown = executor.Submit(() => executor.Shutdown(wait: true));

        Assert.Null(selfShutdown.GetException(TestTimeouts.Unexpected));
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(static () => 2));
    }

    [Fact]
    public void Shutdown_WaitTrueFromTaskWithWorkQueued_QueuedWorkStillCompletes()
    {
        if (RunsTasksInline)
        {
            // Not applicable: inline, the task that shuts down runs on the test thread and waits there for the blocked task, which only the test thread could release (docs/design/0006).
            return;
        }

        using IExecutor executor = CreateExecutor(1);
        using TaskGate gate = CreateGate();
        Future<int> blocker = executor.Submit(gate.BlockingTask(0));
        Assert.True(gate.WaitUntilEntered(1, TestTimeouts.Unexpected));
        if (!TasksCanUseTheirExecutor)
        {
            AssertSubmitRefusesExecutorCapture(() => executor.Submit(() => executor.Shutdown(wait: true)));
            Future<int> queuedAfterRefusal = executor.Submit(static () => 9);
            gate.Open();
            Assert.Equal(0, blocker.GetResult(TestTimeouts.Unexpected));
            Assert.Equal(9, queuedAfterRefusal.GetResult(TestTimeouts.Unexpected));
            return;
        }

        Future selfShutdown = executor.Submit(() => executor.Shutdown(wait: true));
        Future<int> queued = executor.Submit(static () => 9);

        gate.Open();

        Assert.Null(selfShutdown.GetException(TestTimeouts.Unexpected));
        Assert.Equal(0, blocker.GetResult(TestTimeouts.Unexpected));
        Assert.Equal(9, queued.GetResult(TestTimeouts.Unexpected));
    }

    /// <summary>
    /// Starts <c>gate.BlockingTask(result)</c> so that it holds a worker while the test goes on, and
    /// returns once it has entered the gate. An executor that runs tasks inline would hold the test
    /// thread instead, so there the task is submitted from a helper thread, which plays the worker.
    /// </summary>
    private BlockingTaskHandle StartBlockingTask(IExecutor executor, TaskGate gate, int result)
    {
        int enteredBefore = gate.EnteredCount;
        Func<int> task = gate.BlockingTask(result);
        BlockingTaskHandle handle = RunsTasksInline
            ? new BlockingTaskHandle(Task.Run(() => executor.Submit(task)))
            : new BlockingTaskHandle(executor.Submit(task));
        Assert.True(gate.WaitUntilEntered(enteredBefore + 1, TestTimeouts.Unexpected), "The blocking task should have started.");
        return handle;
    }

    /// <summary>
    /// Asserts how many of the tasks submitted while the only worker was blocked were still pending: all
    /// but <see cref="StartedAheadAllowance"/>; none for an executor that runs tasks inline, which has
    /// no queue (each ran in its Submit, so there is nothing left for cancelFutures to cancel).
    /// </summary>
    private void AssertQueuedWhileWorkerBusy(int pendingCount, int submittedCount)
    {
        if (RunsTasksInline)
        {
            Assert.Equal(0, pendingCount);
        }
        else
        {
            Assert.InRange(pendingCount, submittedCount - StartedAheadAllowance, submittedCount);
        }
    }

    /// <summary>
    /// The alternative to re-entrancy (<see cref="TasksCanUseTheirExecutor"/> false): submitting a
    /// delegate that captures the executor throws <see cref="ArgumentException"/> at the call, naming
    /// the parameter and the captured variable. Each caller then shows that the executor still runs work.
    /// </summary>
    private static void AssertSubmitRefusesExecutorCapture(Action submitCapturingExecutor)
    {
        var exception = Assert.Throws<ArgumentException>(submitCapturingExecutor);
        Assert.Equal("fn", exception.ParamName);
        Assert.Contains("'executor'", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>A source of 0..count-1 that counts how many items have been read from it.</summary>
    private static IEnumerable<int> CountingSource(int count, StrongBox<int> pulled)
    {
        for (int i = 0; i < count; i++)
        {
            pulled.Value++;
            yield return i;
        }
    }

    /// <summary>
    /// A task started by <see cref="StartBlockingTask"/>. With workers, its future exists at once. Inline,
    /// <c>Submit</c> returns the future only when the task is done, on the helper thread; until then
    /// the task is running, so it is neither done nor canceled.
    /// </summary>
    private sealed class BlockingTaskHandle
    {
        private readonly Future<int>? _future;
        private readonly Task<Future<int>>? _submission;

        public BlockingTaskHandle(Future<int> future) => _future = future;

        public BlockingTaskHandle(Task<Future<int>> submission) => _submission = submission;

        /// <summary>Gets the task's future, waiting for an inline <c>Submit</c> to return it.</summary>
        public Future<int> Future
        {
            get
            {
                if (_future is not null)
                {
                    return _future;
                }

                Assert.True(_submission!.Wait(TestTimeouts.Unexpected), "The helper thread's Submit should have returned.");
                return _submission.Result;
            }
        }

        /// <summary>Gets a value indicating whether the task is done now, without waiting.</summary>
        public bool IsDone => _future?.IsDone ?? (_submission!.IsCompletedSuccessfully && _submission.Result.IsDone);

        /// <summary>Gets a value indicating whether the task is canceled now, without waiting.</summary>
        public bool IsCanceled => _future?.IsCanceled ?? (_submission!.IsCompletedSuccessfully && _submission.Result.IsCanceled);
    }

    /// <summary>
    /// Blocks tasks until the test opens it, and counts the calls that entered it. Disposing it opens
    /// it, so a failing test does not leave a worker blocked.
    /// </summary>
    protected abstract class TaskGate : IDisposable
    {
        /// <summary>Gets how many calls have entered the gate so far (blocking or not).</summary>
        public abstract int EnteredCount { get; }

        /// <summary>Returns a task that enters the gate, waits until it opens, then returns <paramref name="result"/>.</summary>
        /// <param name="result">The task's result.</param>
        /// <returns>The task.</returns>
        public abstract Func<int> BlockingTask(int result);

        /// <summary>
        /// Returns a Map function <c>x => x * 10</c> whose every call enters the gate; the call for
        /// <paramref name="blockedItem"/> also waits until the gate opens.
        /// </summary>
        /// <param name="blockedItem">The item whose call blocks.</param>
        /// <returns>The function.</returns>
        public abstract Func<int, int> MapFunction(int blockedItem);

        /// <summary>Waits until at least <paramref name="count"/> calls have entered the gate.</summary>
        /// <param name="count">The number of calls to wait for.</param>
        /// <param name="timeout">How long to wait.</param>
        /// <returns><see langword="true"/> if that many calls entered in time.</returns>
        public abstract bool WaitUntilEntered(int count, TimeSpan timeout);

        /// <summary>Opens the gate: blocked calls return, later calls do not block. Idempotent.</summary>
        public abstract void Open();

        public void Dispose()
        {
            Dispose(disposing: true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
                Open();
            }
        }
    }

    /// <summary>
    /// The default gate: a static registry keyed by gate id, so that the delegates handed to the
    /// executor capture only integers. Blocked calls give up after <see cref="TestTimeouts.Unexpected"/>
    /// so that no test can hang on a gate it forgot to open.
    /// </summary>
    private sealed class InProcessTaskGate : TaskGate
    {
        private static readonly ConcurrentDictionary<int, GateState> s_gates = new();
        private static int s_lastId;

        private readonly int _id;
        private readonly GateState _state = new();

        public InProcessTaskGate()
        {
            _id = Interlocked.Increment(ref s_lastId);
            s_gates[_id] = _state;
        }

        public override int EnteredCount => _state.Entered;

        public override Func<int> BlockingTask(int result)
        {
            int id = _id;
            return () =>
            {
                Enter(id, block: true);
                return result;
            };
        }

        public override Func<int, int> MapFunction(int blockedItem)
        {
            int id = _id;
            return x =>
            {
                Enter(id, block: x == blockedItem);
                return x * 10;
            };
        }

        public override bool WaitUntilEntered(int count, TimeSpan timeout) => _state.WaitUntilEntered(count, timeout);

        public override void Open() => _state.Open();

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            s_gates.TryRemove(_id, out _);
        }

        private static void Enter(int id, bool block)
        {
            // A gate already disposed is open: a straggler that runs after its test ended just passes.
            if (s_gates.TryGetValue(id, out GateState? state))
            {
                state.Enter(block);
            }
        }
    }

    /// <summary>The state of one in-process gate, guarded by a monitor.</summary>
    private sealed class GateState
    {
        private readonly object _sync = new();
        private int _entered;
        private bool _isOpen;

        public int Entered
        {
            get
            {
                lock (_sync)
                {
                    return _entered;
                }
            }
        }

        public void Enter(bool block)
        {
            lock (_sync)
            {
                _entered++;
                Monitor.PulseAll(_sync);
                if (block && !WaitLocked(() => _isOpen, TestTimeouts.Unexpected))
                {
                    throw new TimeoutException("The test never opened the gate.");
                }
            }
        }

        public bool WaitUntilEntered(int count, TimeSpan timeout)
        {
            lock (_sync)
            {
                return WaitLocked(() => _entered >= count, timeout);
            }
        }

        public void Open()
        {
            lock (_sync)
            {
                _isOpen = true;
                Monitor.PulseAll(_sync);
            }
        }

        private bool WaitLocked(Func<bool> condition, TimeSpan timeout)
        {
            long start = Stopwatch.GetTimestamp();
            while (!condition())
            {
                TimeSpan remaining = timeout;
                if (timeout != Timeout.InfiniteTimeSpan)
                {
                    remaining = timeout - Stopwatch.GetElapsedTime(start);
                    if (remaining <= TimeSpan.Zero)
                    {
                        return false;
                    }
                }

                Monitor.Wait(_sync, remaining);
            }

            return true;
        }
    }
}
