using System.Diagnostics;
using System.Security.Cryptography;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>process_payload</c>: a <see cref="ProcessPoolExecutor"/> of 2 workers, warmed until both
/// answered; 200 tasks each taking the same random 1 MiB <c>byte[]</c> and returning its length, all
/// submitted before waiting; then one task taking a random 64 MiB array.
/// </summary>
internal sealed class ProcessPayloadWorkload : IPeerWorkload
{
    private const int Mib = 1 << 20;
    private const int Tasks = 200;
    private const int BigMib = 64;

    /// <summary>Untimed 1 MiB tasks (in flight together) after the spec's single untimed one, for the JIT.</summary>
    private const int JitWarmupTasks = 20;

    /// <inheritdoc/>
    public string Name => "process_payload";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        byte[] payload = RandomNumberGenerator.GetBytes(Mib);
        byte[] big = RandomNumberGenerator.GetBytes(BigMib * Mib);
        double batchSeconds, bigSeconds, bigSubmitSeconds;
        using (var executor = new ProcessPoolExecutor(maxWorkers: ProcessPoolPeer.Workers))
        {
            ProcessPoolPeer.WarmPool(executor);
            executor.Submit(ProcessTasks.PayloadLengthFn, payload).GetResult(); // untimed: first payload
            RunBatch(executor, payload, JitWarmupTasks);

            batchSeconds = RunBatch(executor, payload, Tasks);

            long t2 = Stopwatch.GetTimestamp();
            Future<int> bigFuture = executor.Submit(ProcessTasks.PayloadLengthFn, big);
            long tSubmitted = Stopwatch.GetTimestamp();
            int r = bigFuture.GetResult();
            long t3 = Stopwatch.GetTimestamp();
            bigSubmitSeconds = PeerTiming.Seconds(t2, tSubmitted);
            if (r != BigMib * Mib)
            {
                throw new InvalidOperationException($"The 64 MiB task returned {r}.");
            }

            bigSeconds = PeerTiming.Seconds(t2, t3);
        }

        result.Figures["mib1_x200_mib_per_s"] = Tasks / batchSeconds;
        result.Figures["mib64_single_ms"] = bigSeconds * 1e3;
        result.Figures["mib64_single_mib_per_s"] = BigMib / bigSeconds;

        result.Info["mib64_submit_call_ms"] = bigSubmitSeconds * 1e3;
        result.Info["payload"] = "RandomNumberGenerator.GetBytes byte[] as the argument, task returns its Length";
        result.Info["tasks_1mib"] = Tasks;
        result.Info["workers"] = ProcessPoolPeer.Workers;
        result.Info["warmup"] = ProcessPoolPeer.WarmupDescription + "; then one untimed 1 MiB task (as cf_bench.py)";
        result.Info["jit_warmup"] = $"then {JitWarmupTasks} untimed 1 MiB tasks in flight together";
        result.Info["timed"] = "mib1: first submit .. all 200 futures done (Futures.Wait); mib64: Submit .. GetResult";
        result.Info["compare_with"] = "Python uses the fork context here; .NET workers are always fresh processes (spawn)";
    }

    private static double RunBatch(ProcessPoolExecutor executor, byte[] payload, int tasks)
    {
        long t0 = Stopwatch.GetTimestamp();
        var futures = new Future<int>[tasks];
        for (int i = 0; i < tasks; i++)
        {
            futures[i] = executor.Submit(ProcessTasks.PayloadLengthFn, payload);
        }

        Futures.Wait(futures);
        long t1 = Stopwatch.GetTimestamp();
        if (futures.Any(f => f.GetResult() != payload.Length))
        {
            throw new InvalidOperationException("A payload task returned a wrong length.");
        }

        return PeerTiming.Seconds(t0, t1);
    }
}
