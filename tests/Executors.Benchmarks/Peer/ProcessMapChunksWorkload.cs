using System.Diagnostics;
using System.Globalization;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>process_map_chunks</c>: a <see cref="ProcessPoolExecutor"/> of 2 workers, warmed until both
/// answered; <c>Map(Noop, 0..n-1, chunkSize: c).ToList()</c> for c = 1 over <c>CF_MAP_N1</c> items
/// (default 20,000) and c = 256 over 200,000 items.
/// </summary>
internal sealed class ProcessMapChunksWorkload : IPeerWorkload
{
    private const int DefaultItemsChunk1 = 20_000;
    private const int ItemsChunk256 = 200_000;

    /// <inheritdoc/>
    public string Name => "process_map_chunks";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        int itemsChunk1 = Environment.GetEnvironmentVariable("CF_MAP_N1") is { Length: > 0 } text
            ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : DefaultItemsChunk1;
        (int ChunkSize, int Items)[] runs = [(1, itemsChunk1), (256, ItemsChunk256)];
        using (var executor = new ProcessPoolExecutor(maxWorkers: ProcessPoolPeer.Workers))
        {
            ProcessPoolPeer.WarmPool(executor);

            // Untimed JIT warm-up of both paths, here and in the workers: a tenth of each timed run.
            foreach ((int chunkSize, int items) in runs)
            {
                RunMap(executor, chunkSize, Math.Max(1, items / 10));
            }

            foreach ((int chunkSize, int items) in runs)
            {
                double seconds = RunMap(executor, chunkSize, items);
                result.Figures[$"chunk{chunkSize}_items_per_s"] = items / seconds;
            }
        }

        result.Info["items_chunk1"] = itemsChunk1;
        result.Info["items_chunk256"] = ItemsChunk256;
        result.Info["workers"] = ProcessPoolPeer.Workers;
        result.Info["warmup"] = ProcessPoolPeer.WarmupDescription;
        result.Info["jit_warmup"] = "one untimed Map of a tenth of the items per chunk size, in the same pool, after warm_pool";
        result.Info["timed"] = "Map call .. list materialized";
        result.Info["items_chunk1_env"] = "CF_MAP_N1 (default 20,000 here; cf_bench.py's default is 200,000: run-peer.sh sets CF_MAP_N1=20000 for both)";
        result.Info["compare_with"] = "Python uses the fork context here; .NET workers are always fresh processes (spawn)";
    }

    private static double RunMap(ProcessPoolExecutor executor, int chunkSize, int items)
    {
        long t0 = Stopwatch.GetTimestamp();
        List<int> results = executor.Map(ProcessTasks.NoopFn, Enumerable.Range(0, items), chunkSize: chunkSize).ToList();
        long t1 = Stopwatch.GetTimestamp();
        if (results.Count != items || results[^1] != items - 1)
        {
            throw new InvalidOperationException($"Map with chunkSize {chunkSize} returned wrong results.");
        }

        return PeerTiming.Seconds(t0, t1);
    }
}
