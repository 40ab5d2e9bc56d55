using System.Collections.Concurrent;
using System.Globalization;
using Executors.Tests.TestUtilities;
using Xunit.Abstractions;

namespace Executors.Tests.Stress;

/// <summary>
/// Random interleavings of every operation of <see cref="Future{TResult}"/> from several threads at once.
/// The racing threads live for the whole test and run in lockstep rounds (a <see cref="Barrier"/> releases
/// them together, with a random spin before each operation); each round races on fresh futures and is
/// checked once every racer is back.
/// </summary>
[Trait("Category", "Stress")]
public sealed class FutureStressTests
{
    private const int DefaultSingleFutureRounds = 3000;
    private const int DefaultManyFutureRounds = 800;
    private const int SingleFutureRacers = 4;
    private const int ManyFutureCompleters = 2;
    private const int ManyFutureWaiters = 2;

    private readonly ITestOutputHelper _output;

    public FutureStressTests(ITestOutputHelper output) => _output = output;

    private interface IRound
    {
        /// <summary>Runs racer <paramref name="racer"/>'s part of the round; never throws (outcomes are recorded).</summary>
        void Run(int racer);

        /// <summary>Checks the round once every racer is back; returns a description of the first violation, or null.</summary>
        string? Validate();
    }

    [Fact]
    public void SingleFuture_RacingCompletersWaitersAndCallbacks_EndsInOneConsistentTerminalState()
    {
        int seed = StressSettings.CreateSeed(_output);
        int rounds = StressSettings.Iterations(DefaultSingleFutureRounds);
        var plan = new Random(seed);
        var stats = new int[Enum.GetValues<FutureState>().Length];

        RunLockstep(
            seed,
            rounds,
            SingleFutureRacers,
            plan,
            number => new SingleFutureRound(number, plan, SingleFutureRacers),
            round => stats[(int)((SingleFutureRound)round).Future.State]++);

        _output.WriteLine($"{rounds} rounds: {stats[(int)FutureState.Finished]} finished, {stats[(int)FutureState.Canceled]} canceled.");
        Assert.True(stats[(int)FutureState.Finished] + stats[(int)FutureState.Canceled] == rounds, $"Not every round was checked. {StressSettings.Replay(seed)}");
    }

    [Fact]
    public void WaitAndAsCompleted_ManyFuturesCompletedConcurrently_SeeEveryFutureExactlyOnce()
    {
        int seed = StressSettings.CreateSeed(_output);
        int rounds = StressSettings.Iterations(DefaultManyFutureRounds);
        var plan = new Random(seed);
        int checkedRounds = 0;

        RunLockstep(
            seed,
            rounds,
            ManyFutureCompleters + ManyFutureWaiters,
            plan,
            number => new ManyFuturesRound(number, plan, ManyFutureCompleters, ManyFutureWaiters),
            _ => checkedRounds++);

        Assert.True(checkedRounds == rounds, $"Only {checkedRounds} of {rounds} rounds were checked. {StressSettings.Replay(seed)}");
    }

    /// <summary>
    /// Runs <paramref name="rounds"/> rounds with <paramref name="racers"/> long-lived threads released together by a
    /// barrier; the calling thread prepares each round, waits for the racers, and validates. Fails with the seed.
    /// </summary>
    private static void RunLockstep(int seed, int rounds, int racers, Random plan, Func<int, IRound> prepare, Action<IRound> onChecked)
    {
        string replay = StressSettings.Replay(seed);
        using var barrier = new Barrier(racers + 1);
        using var stop = new CancellationTokenSource();
        IRound? current = null;
        var racerFailures = new ConcurrentQueue<string>();
        var spinSeeds = Enumerable.Range(0, racers).Select(_ => plan.Next()).ToArray();
        var threads = new Thread[racers];
        for (int r = 0; r < racers; r++)
        {
            int racer = r;
            threads[r] = new Thread(() => RacerLoop(racer, spinSeeds[racer]))
            {
                IsBackground = true,
                Name = string.Create(CultureInfo.InvariantCulture, $"FutureStressRacer_{racer}"),
            };
        }

        string? failure = null;
        bool[] joined = new bool[racers];
        try
        {
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            for (int number = 0; number < rounds && failure is null; number++)
            {
                IRound round = prepare(number);
                Volatile.Write(ref current, round);

                // Phase 1 releases the racers into the round; phase 2 is every racer back.
                if (!barrier.SignalAndWait(TestTimeouts.Unexpected, stop.Token) || !barrier.SignalAndWait(TestTimeouts.Unexpected, stop.Token))
                {
                    failure = $"Round {number}: a racer did not come back within {TestTimeouts.Unexpected} (hung in an operation?). {round}";
                    break;
                }

                failure = round.Validate();
                onChecked(round);
            }
        }
        finally
        {
            // Release the racers (they wait at the next round's barrier) and join every one of them.
            stop.Cancel();
            for (int r = 0; r < racers; r++)
            {
                joined[r] = threads[r].ThreadState.HasFlag(ThreadState.Unstarted) || threads[r].Join(TestTimeouts.Unexpected);
            }
        }

        Assert.True(failure is null, $"{failure} {replay}");
        Assert.True(racerFailures.IsEmpty, $"{string.Join(" | ", racerFailures)} {replay}");
        for (int r = 0; r < racers; r++)
        {
            Assert.True(joined[r], $"Racer {r} did not exit within {TestTimeouts.Unexpected}. {replay}");
        }

        void RacerLoop(int racer, int spinSeed)
        {
            var spin = new Random(spinSeed);
            try
            {
                while (true)
                {
                    if (!barrier.SignalAndWait(TestTimeouts.Unexpected, stop.Token))
                    {
                        racerFailures.Enqueue($"Racer {racer} timed out waiting for the round to start.");
                        return;
                    }

                    IRound round = Volatile.Read(ref current)!;

                    // A random head start, so that every order of the operations comes up.
                    Thread.SpinWait(spin.Next(0, 300));
                    round.Run(racer);
                    if (!barrier.SignalAndWait(TestTimeouts.Unexpected, stop.Token))
                    {
                        racerFailures.Enqueue($"Racer {racer} timed out waiting for the other racers to finish round. {round}");
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The test is over (or failed): stop.
            }
            catch (Exception ex)
            {
                racerFailures.Enqueue($"Racer {racer} crashed: {ex}");
            }
        }
    }

    private static bool IsFaulted(Future future) => future.State == FutureState.Finished && future.GetException(TimeSpan.Zero) is not null;

    /// <summary>One future; each racer runs one operation on it. At least one racer sets a result or an exception, so the future always ends done.</summary>
    private sealed class SingleFutureRound : IRound
    {
        private static readonly Operation[] s_operations = Enum.GetValues<Operation>();
        private static readonly ReturnWhen[] s_returnWhens = Enum.GetValues<ReturnWhen>();

        private readonly int _number;
        private readonly Operation[] _ops;
        private readonly ReturnWhen[] _returnWhens;
        private readonly bool?[] _returned;
        private readonly Exception?[] _thrown;
        private readonly int[] _values;
        private readonly Exception?[] _setExceptions;
        private readonly object?[] _observed;
        private readonly int[] _callbackRuns;
        private readonly ConcurrentQueue<string> _callbackErrors = new();
        private int _preRegisteredCallbackRuns;

        public SingleFutureRound(int number, Random plan, int racers)
        {
            _number = number;
            _ops = new Operation[racers];
            _returnWhens = new ReturnWhen[racers];
            for (int r = 0; r < racers; r++)
            {
                _ops[r] = s_operations[plan.Next(s_operations.Length)];
                _returnWhens[r] = s_returnWhens[plan.Next(s_returnWhens.Length)];
            }

            if (!_ops.Any(op => op is Operation.SetResult or Operation.SetException))
            {
                _ops[plan.Next(racers)] = plan.Next(2) == 0 ? Operation.SetResult : Operation.SetException;
            }

            _returned = new bool?[racers];
            _thrown = new Exception?[racers];
            _values = new int[racers];
            _setExceptions = new Exception?[racers];
            _observed = new object?[racers];
            _callbackRuns = new int[racers];

            // One callback registered before the race: it must run exactly once too.
            Future.AddDoneCallback(f => CheckCallback(f, ref _preRegisteredCallbackRuns, -1));
        }

        private enum Operation
        {
            Cancel,
            SetRunningOrNotifyCancel,
            SetResult,
            SetException,
            AddDoneCallback,
            GetResult,
            GetException,
            Wait,
            AsCompleted,
            AsTask,
        }

        public Future<int> Future { get; } = new();

        public void Run(int racer)
        {
            Future<int> future = Future;
            try
            {
                switch (_ops[racer])
                {
                    case Operation.Cancel:
                        _returned[racer] = future.Cancel();
                        break;
                    case Operation.SetRunningOrNotifyCancel:
                        _returned[racer] = future.SetRunningOrNotifyCancel();
                        break;
                    case Operation.SetResult:
                        future.SetResult(ValueOf(racer));
                        _returned[racer] = true;
                        break;
                    case Operation.SetException:
                        _setExceptions[racer] = new InvalidOperationException($"Set by racer {racer} in round {_number}.");
                        future.SetException(_setExceptions[racer]!);
                        _returned[racer] = true;
                        break;
                    case Operation.AddDoneCallback:
                        future.AddDoneCallback(f => CheckCallback(f, ref _callbackRuns[racer], racer));
                        break;
                    case Operation.GetResult:
                        _values[racer] = future.GetResult(TestTimeouts.Unexpected);
                        _returned[racer] = true;
                        break;
                    case Operation.GetException:
                        _observed[racer] = future.GetException(TestTimeouts.Unexpected);
                        _returned[racer] = true;
                        break;
                    case Operation.Wait:
                        _observed[racer] = Futures.Wait([future], TestTimeouts.Unexpected, _returnWhens[racer]);
                        break;
                    case Operation.AsCompleted:
                        _observed[racer] = Futures.AsCompleted([future, future], TestTimeouts.Unexpected).ToList();
                        break;
                    case Operation.AsTask:
                        _observed[racer] = future.AsTask();
                        break;
                }
            }
            catch (Exception ex)
            {
                _thrown[racer] = ex;
            }
        }

        public string? Validate()
        {
            Future<int> future = Future;
            FutureState state = future.State;
            if (state is not (FutureState.Canceled or FutureState.Finished))
            {
                return Fail($"the future is not in a terminal state");
            }

            bool canceled = state == FutureState.Canceled;
            int winner = -1;
            int successes = 0;
            int runningTrue = 0;
            for (int r = 0; r < _ops.Length; r++)
            {
                Exception? thrown = _thrown[r];
                switch (_ops[r])
                {
                    case Operation.SetResult:
                    case Operation.SetException:
                        if (_returned[r] == true)
                        {
                            successes++;
                            winner = r;
                        }
                        else if (thrown is not InvalidStateException)
                        {
                            return Fail($"losing completer {r} ({_ops[r]}) got {Describe(thrown)} instead of InvalidStateException");
                        }

                        break;
                    case Operation.Cancel:
                        if (thrown is not null || _returned[r] is not { } cancelReturned)
                        {
                            return Fail($"Cancel on racer {r} threw {Describe(thrown)}");
                        }

                        if (cancelReturned != canceled)
                        {
                            return Fail($"Cancel on racer {r} returned {cancelReturned} but the future ended {state}");
                        }

                        break;
                    case Operation.SetRunningOrNotifyCancel:
                        if (_returned[r] == true)
                        {
                            runningTrue++;
                            if (canceled)
                            {
                                return Fail($"SetRunningOrNotifyCancel on racer {r} returned true, yet the future was canceled");
                            }
                        }
                        else if (_returned[r] == false)
                        {
                            if (!canceled)
                            {
                                return Fail($"SetRunningOrNotifyCancel on racer {r} returned false, yet the future is not canceled");
                            }
                        }
                        else if (thrown is not InvalidStateException || canceled)
                        {
                            return Fail($"SetRunningOrNotifyCancel on racer {r} threw {Describe(thrown)} (future {state}); expected InvalidStateException on a running or finished future");
                        }

                        break;
                    default:
                        break;
                }
            }

            if (successes + (canceled ? 1 : 0) != 1)
            {
                return Fail($"{successes} SetResult/SetException calls succeeded and canceled={canceled}: exactly one completer must win");
            }

            if (runningTrue > 1)
            {
                return Fail($"{runningTrue} SetRunningOrNotifyCancel calls returned true");
            }

            Exception? expectedException = winner >= 0 ? _setExceptions[winner] : null;
            int expectedValue = winner >= 0 && expectedException is null ? ValueOf(winner) : 0;
            string? outcomeError = CheckFinalOutcome(future, canceled, expectedException, expectedValue);
            if (outcomeError is not null)
            {
                return Fail(outcomeError);
            }

            Task<int> task = future.AsTask();
            for (int r = 0; r < _ops.Length; r++)
            {
                string? error = CheckObserver(r, canceled, expectedException, expectedValue, task);
                if (error is not null)
                {
                    return Fail(error);
                }
            }

            if (Volatile.Read(ref _preRegisteredCallbackRuns) != 1)
            {
                return Fail($"the callback added before the race ran {_preRegisteredCallbackRuns} times");
            }

            return _callbackErrors.TryPeek(out string? callbackError) ? Fail(callbackError) : null;
        }

        public override string ToString() =>
            $"Round {_number}: ops [{string.Join(", ", _ops.Select((op, r) => op == Operation.Wait ? $"Wait({_returnWhens[r]})" : op.ToString()))}], state {Future.State}.";

        private static string Describe(Exception? ex) => ex is null ? "nothing" : $"{ex.GetType().Name}: {ex.Message}";

        private static string? CheckFinalOutcome(Future<int> future, bool canceled, Exception? expectedException, int expectedValue)
        {
            try
            {
                int value = future.GetResult(TimeSpan.Zero);
                if (canceled || expectedException is not null || value != expectedValue)
                {
                    return $"GetResult after the race returned {value}; expected the winner's outcome ({expectedValue}, exception {Describe(expectedException)})";
                }
            }
            catch (OperationCanceledException) when (canceled)
            {
            }
            catch (Exception ex) when (!canceled && ReferenceEquals(ex, expectedException))
            {
            }
            catch (Exception ex)
            {
                return $"GetResult after the race threw {Describe(ex)}; expected the winner's outcome (exception {Describe(expectedException)})";
            }

            return null;
        }

        private int ValueOf(int racer) => ((_number + 1) * 100) + racer;

        private string? CheckObserver(int r, bool canceled, Exception? expectedException, int expectedValue, Task<int> task)
        {
            Future<int> future = Future;
            Exception? thrown = _thrown[r];
            switch (_ops[r])
            {
                case Operation.GetResult:
                    if (canceled ? thrown is not OperationCanceledException
                        : expectedException is not null ? !ReferenceEquals(thrown, expectedException)
                        : thrown is not null || _values[r] != expectedValue)
                    {
                        return $"blocking GetResult on racer {r} saw {(thrown is null ? _values[r].ToString(CultureInfo.InvariantCulture) : Describe(thrown))}, not the final outcome";
                    }

                    break;
                case Operation.GetException:
                    if (canceled ? thrown is not OperationCanceledException : thrown is not null || !ReferenceEquals(_observed[r], expectedException))
                    {
                        return $"blocking GetException on racer {r} saw {Describe(thrown ?? _observed[r] as Exception)}, not the final outcome";
                    }

                    break;
                case Operation.Wait:
                    if (thrown is not null || _observed[r] is not DoneAndNotDone result || !result.Done.Contains(future) || result.NotDone.Count != 0)
                    {
                        return $"Futures.Wait({_returnWhens[r]}) on racer {r} returned without the future done (threw {Describe(thrown)})";
                    }

                    break;
                case Operation.AsCompleted:
                    if (thrown is not null || _observed[r] is not List<Future<int>> yielded || yielded.Count != 1 || !ReferenceEquals(yielded[0], future))
                    {
                        return $"AsCompleted on racer {r} did not yield the future exactly once (threw {Describe(thrown)})";
                    }

                    break;
                case Operation.AsTask:
                    if (thrown is not null || !ReferenceEquals(_observed[r], task))
                    {
                        return $"AsTask on racer {r} returned another task than AsTask after the race (threw {Describe(thrown)})";
                    }

                    break;
                case Operation.AddDoneCallback:
                    if (thrown is not null || Volatile.Read(ref _callbackRuns[r]) != 1)
                    {
                        return $"the callback added by racer {r} ran {_callbackRuns[r]} times (AddDoneCallback threw {Describe(thrown)})";
                    }

                    break;
                default:
                    return null;
            }

            if (_ops[r] == Operation.AsTask)
            {
                try
                {
                    if (!task.Wait(TestTimeouts.Unexpected))
                    {
                        return "the AsTask task did not complete";
                    }

                    if (canceled || expectedException is not null || task.Result != expectedValue)
                    {
                        return $"the AsTask task ran to completion with {task.Result}, not the final outcome";
                    }
                }
                catch (AggregateException ex) when (canceled ? task.IsCanceled : ReferenceEquals(ex.InnerException, expectedException))
                {
                }
                catch (AggregateException ex)
                {
                    return $"the AsTask task ended {task.Status} with {Describe(ex.InnerException)}, not the final outcome";
                }
            }

            return null;
        }

        private void CheckCallback(Future f, ref int runs, int racer)
        {
            Interlocked.Increment(ref runs);
            if (!ReferenceEquals(f, Future) || !f.IsDone)
            {
                _callbackErrors.Enqueue($"callback of racer {racer} ran with a future that is not done ({f.State})");
                return;
            }

            // Re-enter the future from the callback: no lock is held, and Cancel agrees with the final state.
            bool cancelReturned = f.Cancel();
            if (cancelReturned != f.IsCanceled)
            {
                _callbackErrors.Enqueue($"Cancel inside the callback of racer {racer} returned {cancelReturned} on a {f.State} future");
            }
        }

        private string Fail(string what) => $"{this} Violation: {what}.";
    }

    /// <summary>
    /// Several futures (some listed twice) completed in random order with random outcomes by the completer
    /// racers while the waiter racers run <see cref="Futures.Wait"/> and <see cref="Futures.AsCompleted"/> on them.
    /// </summary>
    private sealed class ManyFuturesRound : IRound
    {
        private static readonly ReturnWhen[] s_returnWhens = Enum.GetValues<ReturnWhen>();

        private readonly int _number;
        private readonly int _completers;
        private readonly Future<int>[] _futures;
        private readonly Future<int>[] _input;
        private readonly int[] _outcomes;
        private readonly int[][] _completionOrder;
        private readonly bool[] _useAsCompleted;
        private readonly ReturnWhen[] _returnWhens;
        private readonly object?[] _observed;
        private readonly Exception?[] _thrown;

        public ManyFuturesRound(int number, Random plan, int completers, int waiters)
        {
            _number = number;
            _completers = completers;
            int count = plan.Next(1, 13);
            _futures = Enumerable.Range(0, count).Select(_ => new Future<int>()).ToArray();

            // 0 = result, 1 = exception, 2 = cancel.
            _outcomes = Enumerable.Range(0, count).Select(_ => plan.Next(3)).ToArray();
            _input = _futures.Concat(_futures.Where(_ => plan.Next(4) == 0)).OrderBy(_ => plan.Next()).ToArray();

            // Every completer tries every future, in its own random order: exactly one wins each.
            _completionOrder = Enumerable.Range(0, completers).Select(_ => Enumerable.Range(0, count).OrderBy(_ => plan.Next()).ToArray()).ToArray();
            _useAsCompleted = Enumerable.Range(0, waiters).Select(_ => plan.Next(2) == 0).ToArray();
            _returnWhens = Enumerable.Range(0, waiters).Select(_ => s_returnWhens[plan.Next(s_returnWhens.Length)]).ToArray();
            _observed = new object?[waiters];
            _thrown = new Exception?[completers + waiters];
        }

        public void Run(int racer)
        {
            try
            {
                if (racer < _completers)
                {
                    foreach (int i in _completionOrder[racer])
                    {
                        Complete(i);
                    }

                    return;
                }

                int waiter = racer - _completers;
                _observed[waiter] = _useAsCompleted[waiter]
                    ? Futures.AsCompleted(_input, TestTimeouts.Unexpected).ToList()
                    : Futures.Wait(_input, TestTimeouts.Unexpected, _returnWhens[waiter]);
            }
            catch (Exception ex)
            {
                _thrown[racer] = ex;
            }
        }

        public string? Validate()
        {
            for (int r = 0; r < _thrown.Length; r++)
            {
                if (_thrown[r] is { } ex)
                {
                    return Fail($"racer {r} threw {ex.GetType().Name}: {ex.Message}");
                }
            }

            for (int i = 0; i < _futures.Length; i++)
            {
                FutureState expected = _outcomes[i] == 2 ? FutureState.Canceled : FutureState.Finished;
                if (_futures[i].State != expected)
                {
                    return Fail($"future {i} ended {_futures[i].State}, expected {expected}");
                }
            }

            for (int w = 0; w < _observed.Length; w++)
            {
                string? error = _observed[w] switch
                {
                    List<Future<int>> yielded => CheckAsCompleted(yielded),
                    DoneAndNotDone result => CheckWait(result, _returnWhens[w]),
                    _ => "nothing observed",
                };
                if (error is not null)
                {
                    return Fail($"waiter {w}: {error}");
                }
            }

            return null;
        }

        public override string ToString() =>
            $"Round {_number}: {_futures.Length} futures ({_input.Length} inputs), outcomes [{string.Join(",", _outcomes)}], waiters [{string.Join(", ", _useAsCompleted.Select((a, w) => a ? "AsCompleted" : $"Wait({_returnWhens[w]})"))}].";

        private void Complete(int i)
        {
            Future<int> future = _futures[i];
            try
            {
                switch (_outcomes[i])
                {
                    case 0:
                        future.SetResult(i);
                        break;
                    case 1:
                        future.SetException(new InvalidOperationException($"future {i}"));
                        break;
                    default:
                        future.Cancel();
                        break;
                }
            }
            catch (InvalidStateException)
            {
                // The other completer won this one.
            }
        }

        private string? CheckAsCompleted(List<Future<int>> yielded)
        {
            if (yielded.Count != _futures.Length)
            {
                return $"AsCompleted yielded {yielded.Count} futures for {_futures.Length} distinct ones";
            }

            var seen = new HashSet<Future>(ReferenceEqualityComparer.Instance);
            foreach (Future<int> future in yielded)
            {
                if (Array.IndexOf(_futures, future) < 0 || !seen.Add(future))
                {
                    return "AsCompleted yielded a future twice or one not in the input";
                }
            }

            return null;
        }

        private string? CheckWait(DoneAndNotDone result, ReturnWhen returnWhen)
        {
            if (result.Done.Count + result.NotDone.Count != _futures.Length || result.Done.Overlaps(result.NotDone))
            {
                return $"Wait returned {result.Done.Count} done + {result.NotDone.Count} not done for {_futures.Length} distinct futures";
            }

            if (result.Done.Any(f => !f.IsDone))
            {
                return "Wait listed a future that is not done as done";
            }

            bool holds = result.NotDone.Count == 0 || returnWhen switch
            {
                ReturnWhen.FirstCompleted => result.Done.Count > 0,
                ReturnWhen.FirstException => result.Done.Any(IsFaulted),
                _ => false,
            };
            return holds ? null : $"Wait({returnWhen}) returned before its condition held ({result.Done.Count} done, {result.NotDone.Count} not done)";
        }

        private string Fail(string what) => $"{this} Violation: {what}.";
    }
}
