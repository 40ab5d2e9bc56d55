using Executors;
using Samples.Shared;

namespace Samples.IoBound;

/// <summary>
/// "Threads shine when tasks spend time waiting": the same batch of requests to a real local server
/// (<see cref="LoopbackServer"/>, each answer takes 20 ms), made one after another, from a
/// <see cref="ThreadPoolExecutor"/>, and with <c>async</c>/<c>await</c>.
/// </summary>
public static class IoBoundDemo
{
    private const int Workers = 16;
    private const int ResponseBytes = 16 * 1024;
    private static readonly TimeSpan s_latency = TimeSpan.FromMilliseconds(20);

    /// <summary>Runs the comparison, prints what was measured, and returns the tour's summary.</summary>
    public static async Task<RowResult> RunAsync(RunSize size, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int requests = size == RunSize.Tour ? 48 : 128;

        output.WriteLine($"I/O-bound: {requests} requests to a TCP server on 127.0.0.1 that answers each after {s_latency.TotalMilliseconds:F0} ms ({ResponseBytes / 1024} KiB per answer).");
        await using var server = LoopbackServer.Start(s_latency);
        output.WriteLine($"  server: {server.EndPoint}; one connection per request; the client blocks in real socket calls.");

        // Warm-up (JIT, first connection): not timed.
        LoopbackClient.Fetch(server.EndPoint, ResponseBytes);
        await LoopbackClient.FetchAsync(server.EndPoint, ResponseBytes);

        var table = new TextTable("how", "wall time", "requests/s", "vs sequential");

        TimeSpan sequential = Measure.Time(() =>
        {
            for (int i = 0; i < requests; i++)
            {
                Check(LoopbackClient.Fetch(server.EndPoint, ResponseBytes));
            }
        });
        Add(table, "sequential, one thread", sequential, requests, sequential);

        // The executor: each task blocks in its socket calls, and while it waits the other workers run.
        // CPython's situation: the workers share one emulated GIL, and release it in each socket call
        // (LoopbackClient.Fetch), as CPython's socket module does. Waiting does not need the lock.
        GilStatistics? gil = null;
        TimeSpan threadsGil = Measure.Time(() =>
        {
            using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = Workers, GilMode = GilMode.Emulated });
            foreach (int received in executor.Map(i => LoopbackClient.Fetch(server.EndPoint, ResponseBytes), Enumerable.Range(0, requests)))
            {
                Check(received);
            }

            gil = executor.GilLock!.GetStatistics();
        });
        Add(table, $"ThreadPoolExecutor({Workers}), GIL emulated (CPython)", threadsGil, requests, sequential);

        // The same without the emulation: plain .NET threads.
        TimeSpan threads = Measure.Time(() =>
        {
            using var executor = new ThreadPoolExecutor(maxWorkers: Workers);
            foreach (int received in executor.Map(i => LoopbackClient.Fetch(server.EndPoint, ResponseBytes), Enumerable.Range(0, requests)))
            {
                Check(received);
            }
        });
        Add(table, $"ThreadPoolExecutor({Workers}), no GIL (plain .NET threads)", threads, requests, sequential);

        // asyncio's answer: no thread per request; the awaits wait.
        (int[] _, TimeSpan asyncTime) = await Measure.TimeAsync(() =>
            Task.WhenAll(Enumerable.Range(0, requests).Select(_ => LoopbackClient.FetchAsync(server.EndPoint, ResponseBytes))));
        Add(table, "async/await (Task.WhenAll)", asyncTime, requests, sequential);

        table.WriteTo(output);
        double ideal = Math.Min(Workers, requests);
        double threadSpeedup = Measure.Speedup(sequential, threadsGil);
        double asyncSpeedup = Measure.Speedup(sequential, asyncTime);
        output.WriteLine($"  Ideal for {Workers} threads: {ideal:F0}x ({Workers} requests waiting at a time). Requests served: {server.RequestsServed}.");
        output.WriteLine($"  GIL emulated: the lock was held {gil!.Load:P1} of the time; {gil.VoluntaryReleases:N0} releases around socket calls.");
        output.WriteLine();

        // The seed's claim holds if the threads under the GIL get at least half of the ideal overlap.
        return new RowResult(
            $"threads({Workers}) under the GIL {threadSpeedup:F1}x sequential; async {asyncSpeedup:F1}x",
            threadSpeedup >= ideal / 2);
    }

    private static void Add(TextTable table, string how, TimeSpan elapsed, int requests, TimeSpan sequential) =>
        table.Add(how, $"{elapsed.TotalSeconds:F3} s", $"{requests / elapsed.TotalSeconds:F0}", $"{Measure.Speedup(sequential, elapsed):F1}x");

    private static void Check(int received)
    {
        if (received != ResponseBytes)
        {
            throw new InvalidOperationException($"Expected {ResponseBytes} bytes, received {received}.");
        }
    }
}
