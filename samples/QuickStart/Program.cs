// QuickStart: the everyday API of Executors in one screen.
// Run it with:  dotnet run --project samples/QuickStart
using System.Diagnostics;
using Executors;

// An executor is disposable: disposing it is Shutdown(wait: true).
using var executor = new ThreadPoolExecutor(maxWorkers: 4, threadNamePrefix: "quickstart");

// 1. Submit a callable, get a Future, wait for its result with a timeout.
Future<int> answer = executor.Submit(() => 6 * 7);
Console.WriteLine($"Submit: 6 * 7 = {answer.GetResult(TimeSpan.FromSeconds(10))}");

// 2. Submit with an argument, and see which named worker thread ran it.
Future<string> where = executor.Submit(n => $"{n} ran on '{Thread.CurrentThread.Name}'", "task");
Console.WriteLine($"Submit with an argument: {where.GetResult()}");

// 3. Map: results come back in input order, lazily.
int[] squares = executor.Map(x => x * x, Enumerable.Range(1, 8)).ToArray();
Console.WriteLine($"Map (ordered): {string.Join(", ", squares)}");

// 4. AsCompleted: results in the order they finish, not the order submitted.
var sleeps = new[] { 300, 100, 200 };
var futures = sleeps.Select(ms => executor.Submit(() => { Thread.Sleep(ms); return ms; })).ToList();
var finishOrder = Futures.AsCompleted(futures, TimeSpan.FromSeconds(30)).Select(f => f.GetResult());
Console.WriteLine($"AsCompleted (finish order of sleeps 300, 100, 200 ms): {string.Join(", ", finishOrder)}");

// 5. Exceptions travel with the future and are rethrown by GetResult (same instance, original stack).
Future<int> failing = executor.Submit<int>(() => throw new InvalidOperationException("boom"));
Console.WriteLine($"Exception: {failing.GetException()?.GetType().Name}: {failing.GetException()?.Message}");

// 6. Cancel: only work that has not started can be canceled (CPython semantics).
using (var single = new ThreadPoolExecutor(maxWorkers: 1))
{
    var gate = new ManualResetEventSlim();
    Future<int> blocker = single.Submit(() => { gate.Wait(); return 1; });
    SpinWait.SpinUntil(() => blocker.IsRunning);
    Future<int> queued = single.Submit(() => 2);
    Console.WriteLine($"Cancel: queued task -> {queued.Cancel()} ({queued.State}); running task -> {blocker.Cancel()} ({blocker.State})");
    gate.Set();
}

// 7. Done-callbacks, and Futures.Wait with FirstCompleted.
Future<int> slow = executor.Submit(() => { Thread.Sleep(500); return 1; });
Future<int> fast = executor.Submit(() => 2);
fast.AddDoneCallback(f => Console.WriteLine($"Callback: a future finished in state {f.State}"));
DoneAndNotDone result = Futures.Wait([slow, fast], TimeSpan.FromSeconds(30), ReturnWhen.FirstCompleted);
Console.WriteLine($"Wait(FirstCompleted): {result.Done.Count} done, {result.NotDone.Count} not done");

// 8. Futures are awaitable.
var stopwatch = Stopwatch.StartNew();
int awaited = await executor.Submit(() => { Thread.Sleep(50); return 99; });
Console.WriteLine($"await: {awaited} after {stopwatch.ElapsedMilliseconds} ms");

Console.WriteLine("QuickStart finished.");
