using Executors;
using Samples.Shared;

namespace Samples.MassiveIo;

/// <summary>
/// "Async scales to thousands of tasks": thousands of requests in flight at once against a real
/// local server (<see cref="LoopbackServer"/>, 50 ms per answer), awaited from one method, beside a
/// <see cref="ThreadPoolExecutor"/> that needs one blocked thread per request in flight.
/// </summary>
public static class MassiveIoDemo
{
    private const int ResponseBytes = 1024;
    private static readonly TimeSpan s_latency = TimeSpan.FromMilliseconds(50);

    /// <summary>Runs the comparison, prints what was measured, and returns the tour's summary.</summary>
    public static async Task<RowResult> RunAsync(RunSize size, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int operations = FitToDescriptorLimit(size == RunSize.Tour ? 2_000 : 10_000, output);
        int[] threadCounts = size == RunSize.Tour ? [64] : [64, 512];

        output.WriteLine($"Massive I/O concurrency: {operations:N0} requests, all started at once, to a TCP server on 127.0.0.1 that answers each after {s_latency.TotalMilliseconds:F0} ms.");
        await using var server = LoopbackServer.Start(s_latency);

        // Warm-up (JIT, first connections): not timed.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => LoopbackClient.FetchAsync(server.EndPoint, ResponseBytes)));

        var table = new TextTable("how", "wall time", "requests/s", "CPU time", "peak threads", "peak working set", "floor: latency x rounds");

        // Every request is started at once; each one then awaits its connect, send and receive.
        TimeSpan asyncTime;
        TimeSpan asyncCpu;
        using (var sampler = ResourceSampler.Start())
        {
            int[] received;
            (received, asyncTime) = await Measure.TimeAsync(() =>
                Task.WhenAll(Enumerable.Range(0, operations).Select(_ => LoopbackClient.FetchAsync(server.EndPoint, ResponseBytes))));
            Check(received);
            Add(table, "async/await, all started at once", asyncTime, operations, sampler, s_latency);
            asyncCpu = sampler.CpuTime;
        }

        int asyncPeak = server.PeakOpenConnections;

        TimeSpan bestThreads = TimeSpan.MaxValue;
        int bestWorkers = 0;
        foreach (int workers in threadCounts)
        {
            using var sampler = ResourceSampler.Start();
            TimeSpan elapsed = Measure.Time(() =>
            {
                using var executor = new ThreadPoolExecutor(maxWorkers: workers);
                Check(executor.Map(_ => LoopbackClient.Fetch(server.EndPoint, ResponseBytes), Enumerable.Range(0, operations)).ToArray());
            });
            int rounds = (operations + workers - 1) / workers;
            Add(table, $"ThreadPoolExecutor({workers}), blocking", elapsed, operations, sampler, s_latency * rounds);
            if (elapsed < bestThreads)
            {
                (bestThreads, bestWorkers) = (elapsed, workers);
            }
        }

        table.WriteTo(output);
        output.WriteLine("  CPU time, peak threads, working set: this whole process (the server too) while the row ran, sampled every 10 ms.");
        output.WriteLine($"  A thread pool of n workers has at most n requests in flight, so it needs {operations:N0}/n rounds of {s_latency.TotalMilliseconds:F0} ms at least (the floor).");
        output.WriteLine($"  async is not bound by threads but by CPU: opening, serving and closing a loopback connection costs both ends {CpuPerRequestMicroseconds(asyncCpu, operations):F0} us of CPU here,");
        output.WriteLine($"  so requests were accepted as fast as this process could (server side, in flight at once at peak: {asyncPeak:N0}).");
        output.WriteLine();

        double ratio = bestThreads / asyncTime;
        return new RowResult(
            $"{operations:N0} requests in flight: async {asyncTime.TotalSeconds:F2} s; threads({bestWorkers}) {bestThreads.TotalSeconds:F2} s ({ratio:F1}x slower)",
            ratio >= 2);
    }

    /// <summary>
    /// Each request in flight holds two sockets in this process (the client's and the server's).
    /// Keep within the open-file limit (Linux: /proc/self/limits), with room for everything else.
    /// </summary>
    private static int FitToDescriptorLimit(int wanted, TextWriter output)
    {
        const string Limits = "/proc/self/limits";
        if (!File.Exists(Limits))
        {
            return wanted;
        }

        string? line = File.ReadLines(Limits).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        string[] fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (fields.Length < 4 || !int.TryParse(fields[3], out int softLimit))
        {
            return wanted;
        }

        int fits = (softLimit - 512) / 2 / 1000 * 1000;
        if (fits >= wanted)
        {
            return wanted;
        }

        output.WriteLine($"  (open-file limit {softLimit}: two sockets per request in this process, so {fits:N0} requests instead of {wanted:N0}; raise it with ulimit -n)");
        return Math.Max(fits, 100);
    }

    private static void Add(TextTable table, string how, TimeSpan elapsed, int operations, ResourceSampler sampler, TimeSpan floor) =>
        table.Add(
            how,
            $"{elapsed.TotalSeconds:F2} s",
            $"{operations / elapsed.TotalSeconds:N0}",
            $"{sampler.CpuTime.TotalSeconds:F2} s",
            $"{sampler.PeakThreads}",
            $"{sampler.PeakWorkingSet / (1024.0 * 1024.0):F0} MiB",
            $"{floor.TotalSeconds:F2} s");

    private static double CpuPerRequestMicroseconds(TimeSpan cpu, int operations) => cpu.TotalMicroseconds / operations;

    private static void Check(int[] received)
    {
        if (received.Any(r => r != ResponseBytes))
        {
            throw new InvalidOperationException($"A response was not {ResponseBytes} bytes long.");
        }
    }
}
