using System.Runtime.CompilerServices;

namespace Samples.Shared;

/// <summary>
/// How much parallel CPU this machine gives us right now: the same fixed loop timed on one thread,
/// then on <see cref="Environment.ProcessorCount"/> threads at once. 2.0 on a 2-core machine means
/// two full cores; less means other processes are using them, and every speedup below is capped by it.
/// </summary>
public static class CpuCapacity
{
    private const long Iterations = 60_000_000;

    /// <summary>Measures the capacity (about 0.1–0.3 s on an idle machine).</summary>
    public static double Measure()
    {
        int cores = Environment.ProcessorCount;
        SpinLoop(Iterations / 10); // JIT and warm up

        // Best of two, as cf_bench.py's cpu_capacity takes two repetitions.
        TimeSpan one = TimeSpan.MaxValue;
        TimeSpan all = TimeSpan.MaxValue;
        for (int rep = 0; rep < 2; rep++)
        {
            TimeSpan single = Shared.Measure.Time(() => { SpinLoop(Iterations); });
            one = single < one ? single : one;

            TimeSpan parallel = Shared.Measure.Time(() =>
            {
                var threads = Enumerable.Range(0, cores)
                    .Select(_ => new Thread(() => SpinLoop(Iterations)) { IsBackground = true })
                    .ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
            });
            all = parallel < all ? parallel : all;
        }

        return cores * one / all;
    }

    // AggressiveOptimization here and below: optimized from the first call, with no tiered JIT, so serial
    // and parallel runs (here and in worker processes) time the same machine code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long SpinLoop(long n)
    {
        long s = 0;
        for (long i = 0; i < n; i++)
        {
            s += i * i;
        }

        return s;
    }
}
