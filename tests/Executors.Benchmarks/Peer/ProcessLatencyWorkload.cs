using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// <c>process_latency</c>: a <see cref="ProcessPoolExecutor"/> of 2 workers, warmed until both
/// answered; 200 untimed round trips, then 2,000 timed ones: <c>Submit(Noop, i).GetResult()</c>, one
/// at a time. Info adds the raw pipe round trip to a <c>cat</c> child, for scale.
/// </summary>
internal sealed class ProcessLatencyWorkload : IPeerWorkload
{
    private const int RoundTrips = 2_000;
    private const int UntimedRoundTrips = 200;

    /// <summary>Untimed round trips before <see cref="UntimedRoundTrips"/>, so that the submit and answer paths are JIT-compiled (tier 1).</summary>
    private const int JitWarmupRoundTrips = 2_000;

    /// <inheritdoc/>
    public string Name => "process_latency";

    /// <inheritdoc/>
    public void Run(PeerResult result)
    {
        var latencies = new List<double>(RoundTrips);
        using (var executor = new ProcessPoolExecutor(maxWorkers: ProcessPoolPeer.Workers))
        {
            ProcessPoolPeer.WarmPool(executor);
            for (int i = 0; i < JitWarmupRoundTrips; i++)
            {
                executor.Submit(ProcessTasks.NoopFn, i).GetResult();
            }

            // Let background tier-1 compilation of what the warm-up ran finish before the spec's warm-up and timing.
            Thread.Sleep(200);
            for (int i = 0; i < UntimedRoundTrips; i++)
            {
                executor.Submit(ProcessTasks.NoopFn, i).GetResult();
            }

            for (int i = 0; i < RoundTrips; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                int r = executor.Submit(ProcessTasks.NoopFn, i).GetResult();
                long t1 = Stopwatch.GetTimestamp();
                latencies.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds);
                if (r != i)
                {
                    throw new InvalidOperationException($"Round trip {i} returned {r}.");
                }
            }
        }

        result.Figures["median_us"] = ProcessPoolPeer.Median(latencies);
        result.Figures["p99_us"] = ProcessPoolPeer.Percentile(latencies, 99);
        result.Figures["mean_us"] = latencies.Average();
        result.Figures["min_us"] = latencies.Min();

        try
        {
            (double median, double min) = RawPipeRoundTrip.Measure();
            result.Info["raw_pipe_round_trip_median_us"] = median;
            result.Info["raw_pipe_round_trip_min_us"] = min;
            result.Info["raw_pipe_round_trip"] = "1 byte written to a `cat` child's stdin pipe and read back from its stdout pipe, 2,000 times after 200 untimed (for scale; no serialization, no futures)";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            result.Info["raw_pipe_round_trip"] = "not measured: " + ex.Message;
        }

        result.Info["round_trips"] = RoundTrips;
        result.Info["untimed_warmup_round_trips"] = UntimedRoundTrips;
        result.Info["jit_warmup"] = $"{JitWarmupRoundTrips:N0} more untimed round trips and a 200 ms pause before the {UntimedRoundTrips} of the spec";
        result.Info["workers"] = ProcessPoolPeer.Workers;
        result.Info["warmup"] = ProcessPoolPeer.WarmupDescription;
        result.Info["timed"] = "Submit(Noop, i) .. GetResult() returned, per round trip";
        result.Info["compare_with"] = "Python uses the fork context here; .NET workers are always fresh processes (spawn)";
    }
}
