using System.Globalization;
using Executors.Testing.Internal;

namespace Executors.Testing;

/// <summary>
/// A <see cref="ManualExecutor"/> that runs pending tasks in a random order drawn from a seed, and
/// records the order: run a test under many seeds (<see cref="Explore"/>) to try many interleavings of
/// the tasks, and replay the one that broke by its seed.
/// </summary>
/// <remarks>
/// <para>
/// Each time a task is to run (<see cref="RunNext()"/>, <see cref="RunAll"/>, <see cref="RunUntilIdle"/>,
/// or a shutdown that runs what is left), one of the pending tasks is picked at random. The choices
/// come from a generator of this library's own (SplitMix64), not <see cref="Random"/>, so a seed gives
/// the same choices on every runtime and machine. The same test with the same seed therefore runs its
/// tasks in the same order, as long as the test itself submits the same tasks in the same order and
/// drives the executor from one thread.
/// </para>
/// <para>
/// Interleavings are of whole tasks: a task runs to its end before the next one starts (on the driving
/// thread). Races inside a task, between instructions, are not explored; races between tasks,
/// callbacks and the code that submits them are, which is where most ordering bugs of code built on
/// futures live.
/// </para>
/// <para>Shutdown, disposal, <see cref="Pending"/> and the rest behave as on <see cref="ManualExecutor"/>. All members are thread-safe.</para>
/// </remarks>
public sealed class SeededExecutor : IExecutor
{
    /// <summary>The choices; guarded by the queue's lock (it calls the chooser under it).</summary>
    private readonly SplitMix64 _random;
    private readonly DrivenQueue _queue;

    /// <summary>Initializes a new instance of the <see cref="SeededExecutor"/> class.</summary>
    /// <param name="seed">The seed of the order in which tasks run.</param>
    /// <param name="timeProvider">The clock that measures <c>Map</c> timeouts; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public SeededExecutor(int seed, TimeProvider? timeProvider = null)
    {
        Seed = seed;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _random = new SplitMix64(seed);
        _queue = new DrivenQueue(this, _random.NextIndex, keepHistory: true);
    }

    /// <summary>Gets the seed of the order in which tasks run: pass it to a new executor to replay that order.</summary>
    public int Seed { get; }

    /// <summary>Gets the clock that measures <c>Map</c> timeouts.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets a value indicating whether <see cref="Shutdown"/> (or a dispose) has been called.</summary>
    public bool IsShutdown => _queue.IsShutdown;

    /// <summary>Gets a snapshot of the tasks waiting to run, in submission order. Tasks canceled while waiting are not listed.</summary>
    public IReadOnlyList<ScheduledTask> Pending => _queue.Pending;

    /// <summary>Gets a snapshot of the tasks that have run (or are running), in the order they started: the schedule this seed produced.</summary>
    public IReadOnlyList<ScheduledTask> History => _queue.History;

    /// <summary>
    /// Runs <paramref name="test"/> once for each of <paramref name="seedCount"/> seeds, from
    /// <paramref name="firstSeed"/> up, each time with a new <see cref="SeededExecutor"/> that is disposed
    /// afterwards (running anything still pending). Stops at the first failure and throws an
    /// <see cref="InterleavingFailedException"/> that names the seed and the order the tasks ran in.
    /// </summary>
    /// <param name="test">The test body: builds the code under test on the executor it is given, drives it, and asserts.</param>
    /// <param name="seedCount">How many seeds to try; at least 1. The default is 100.</param>
    /// <param name="firstSeed">The first seed; the others follow it. The default is 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="test"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seedCount"/> is 0 or negative.</exception>
    /// <exception cref="InterleavingFailedException">The test failed under some seed; its inner exception is the failure.</exception>
    public static void Explore(Action<SeededExecutor> test, int seedCount = TestingConstants.DefaultSeedCount, int firstSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seedCount);
        for (int i = 0; i < seedCount; i++)
        {
            int seed = unchecked(firstSeed + i);
            var executor = new SeededExecutor(seed);
            try
            {
                test(executor);
                executor.Dispose();
            }
            catch (Exception ex)
            {
                IReadOnlyList<ScheduledTask> history = executor.History;
                executor.Shutdown(wait: false, cancelFutures: true);
                throw new InterleavingFailedException(
                    ThrowHelper.InterleavingFailed(seed, i + 1, seedCount, history, ex),
                    ex,
                    seed,
                    history);
            }
        }
    }

    /// <summary>Runs one pending task, picked at random, on the calling thread, if there is one.</summary>
    /// <returns><see langword="true"/> if a task ran; <see langword="false"/> if none was pending.</returns>
    public bool RunNext() => _queue.RunNext();

    /// <summary>
    /// Runs one pending task, picked at random, on the calling thread, first waiting up to
    /// <paramref name="timeout"/> for one to be submitted. With several threads driving, which thread
    /// takes which task depends on timing: the order is then not reproducible by the seed alone.
    /// </summary>
    /// <param name="timeout">How long to wait, in real time, for a task; <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <returns>
    /// <see langword="true"/> if a task ran; <see langword="false"/> if none was submitted in time, or
    /// the executor is shut down with nothing pending.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    public bool RunNext(TimeSpan timeout) => _queue.RunNext(timeout);

    /// <summary>Runs the tasks pending now, in random order, on the calling thread; tasks they submit stay queued.</summary>
    /// <returns>How many tasks ran.</returns>
    public int RunAll() => _queue.RunAll();

    /// <summary>Runs pending tasks in random order, including those they submit, until none is pending.</summary>
    /// <param name="maxTasks">The most tasks to run; a queue still not empty after that many throws. The default is 100,000.</param>
    /// <returns>How many tasks ran.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTasks"/> is 0 or negative.</exception>
    /// <exception cref="InvalidOperationException">Tasks were still pending after <paramref name="maxTasks"/> had run.</exception>
    public int RunUntilIdle(int maxTasks = TestingConstants.DefaultMaxTasks) => _queue.RunUntilIdle(maxTasks);

    /// <inheritdoc/>
    /// <remarks>The task is queued; it runs when the test runs it, in the seed's order.</remarks>
    public Future<TResult> Submit<TResult>(Func<TResult> fn) => _queue.Submit(fn);

    /// <inheritdoc/>
    /// <remarks>The task is queued; it runs when the test runs it, in the seed's order.</remarks>
    public Future<TResult> Submit<T, TResult>(Func<T, TResult> fn, T arg) => _queue.Submit(fn, arg);

    /// <inheritdoc/>
    /// <remarks>The task is queued; it runs when the test runs it, in the seed's order.</remarks>
    public Future Submit(Action fn) => _queue.Submit(fn);

    /// <inheritdoc/>
    /// <remarks>
    /// Every item becomes one queued task (described as <c>Map[i]</c>), so items may run in any order;
    /// the results still come in input order. <paramref name="chunkSize"/> is validated and otherwise
    /// ignored. <paramref name="timeout"/> is measured with <see cref="TimeProvider"/>.
    /// </remarks>
    public IEnumerable<TResult> Map<T, TResult>(
        Func<T, TResult> fn,
        IEnumerable<T> items,
        TimeSpan? timeout = null,
        int chunkSize = 1,
        int? bufferSize = null)
    {
        return _queue.Map(fn, items, timeout, chunkSize, bufferSize, TimeProvider);
    }

    /// <inheritdoc/>
    /// <remarks>As <see cref="ManualExecutor.Shutdown"/>: with <paramref name="wait"/>, what is pending runs on the calling thread, in the seed's order.</remarks>
    public void Shutdown(bool wait = true, bool cancelFutures = false) => _queue.Shutdown(wait, cancelFutures);

    /// <summary>Shuts the executor down, running what is pending on the calling thread: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>
    /// Shuts the executor down and runs what is pending on the calling thread, as <see cref="Dispose"/>
    /// does; the returned task completes when tasks other threads are running have finished too.
    /// </summary>
    /// <returns>A task that completes when no task is pending or running.</returns>
    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    /// <summary>Describes the schedule so far: the seed and the tasks run, in order, one per line.</summary>
    /// <returns>The text to print when a test fails.</returns>
    public string DescribeHistory()
    {
        IReadOnlyList<ScheduledTask> history = History;
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Seed {Seed}: {history.Count} tasks run, in order:");
        foreach (ScheduledTask task in history)
        {
            text.AppendLine().Append("  ").Append(task);
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"SeededExecutor (Seed = {Seed}, Run = {History.Count}, Pending = {Pending.Count}, IsShutdown = {IsShutdown})");
}
