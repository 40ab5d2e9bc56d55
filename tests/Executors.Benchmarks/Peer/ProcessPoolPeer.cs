namespace Executors.Benchmarks.Peer;

/// <summary>Helpers shared by the process-pool workloads: <c>warm_pool</c>, percentiles, medians.</summary>
internal static class ProcessPoolPeer
{
    /// <summary>Worker processes of every process-pool workload, as in <c>cf_bench.py</c>.</summary>
    public const int Workers = 2;

    /// <summary>Gets the info text that describes <see cref="WarmPool"/>.</summary>
    public static string WarmupDescription { get; } =
        "until both workers returned a result: rounds of 2 tasks sleeping 50 ms and returning Environment.ProcessId, until 2 distinct pids were seen (cf_bench.py warm_pool)";

    /// <summary>
    /// <c>warm_pool</c>: submits rounds of <see cref="Workers"/> tasks that sleep 50 ms and return the
    /// worker's process id, until every worker has answered.
    /// </summary>
    /// <param name="executor">The pool.</param>
    /// <returns>The number of distinct worker process ids seen.</returns>
    /// <exception cref="InvalidOperationException">The workers did not all answer in 20 rounds.</exception>
    public static int WarmPool(ProcessPoolExecutor executor)
    {
        var pids = new HashSet<int>();
        for (int round = 0; round < 20; round++)
        {
            var futures = new Future<int>[Workers];
            for (int i = 0; i < Workers; i++)
            {
                futures[i] = executor.Submit(ProcessTasks.SlowPidFn);
            }

            foreach (Future<int> future in futures)
            {
                pids.Add(future.GetResult());
            }

            if (pids.Count >= Workers)
            {
                return pids.Count;
            }
        }

        throw new InvalidOperationException($"The pool did not warm up: saw pids {string.Join(", ", pids)}.");
    }

    /// <summary>Nearest-rank percentile, as <c>cf_bench.py</c>'s <c>pctl</c>.</summary>
    /// <param name="values">The values (any order).</param>
    /// <param name="q">The percentile, 0..100.</param>
    /// <returns>The value at that rank.</returns>
    public static double Percentile(IReadOnlyCollection<double> values, double q)
    {
        double[] sorted = [.. values.Order()];
        int k = Math.Max(0, (int)Math.Ceiling(q / 100.0 * sorted.Length) - 1);
        return sorted[k];
    }

    /// <summary>The median, as Python's <c>statistics.median</c> (mean of the middle two for an even count).</summary>
    /// <param name="values">The values (any order).</param>
    /// <returns>The median.</returns>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
