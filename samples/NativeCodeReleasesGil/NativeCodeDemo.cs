using Executors;
using Samples.Shared;
using static Samples.Shared.ResultCheck;

namespace Samples.NativeCode;

/// <summary>
/// "Work done in C extensions that release the GIL": compressing and hashing blocks of text
/// (<see cref="PythonLikeWork.CompressAndHash"/>: zlib and SHA-256 from the BCL, standing in for
/// <c>zlib</c> and <c>hashlib</c>) on two threads of one emulated interpreter, when the native call
/// releases the GIL and when it keeps it.
/// </summary>
public static class NativeCodeDemo
{
    private const int Workers = 2;
    private const int BlockBytes = 2 << 20;

    /// <summary>Runs the comparison, prints what was measured, and returns the tour's summary.</summary>
    public static RowResult Run(RunSize size, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int blocks = size == RunSize.Tour ? 24 : 64;
        byte[][] data = Corpus.TextBlocks(blocks, BlockBytes, seed: 11);
        output.WriteLine($"C-extension heavy: {blocks} blocks of {BlockBytes >> 20} MiB of text, each compressed (zlib, fastest) and hashed (SHA-256) by native code.");

        PythonLikeWork.CompressAndHash(data[0]); // JIT and native library load, not timed
        var capacityCheck = CapacityCheck.Start();
        var table = new SpeedupTable("GIL held");

        ((int, long)[] expected, TimeSpan serial) = Measure.Time(() => data.Select(PythonLikeWork.CompressAndHash).ToArray());
        table.AddSerialRun(serial, "-");

        (TimeSpan released, GilStatistics releasedGil) = RunUnderGil(data, PythonLikeWork.CompressAndHash, expected);
        table.Add($"ThreadPoolExecutor({Workers}), GIL emulated, native call releases it", released, $"{releasedGil.Load:P0}");

        (TimeSpan held, GilStatistics heldGil) = RunUnderGil(data, PythonLikeWork.CompressAndHashHoldingGil, expected);
        table.Add($"ThreadPoolExecutor({Workers}), GIL emulated, native call keeps it", held, $"{heldGil.Load:P0}");

        table.AddSerialRun(Measure.Time(() => Check(data.Select(PythonLikeWork.CompressAndHash).ToArray(), expected)), "-");
        table.WriteTo(output);
        double capacity = capacityCheck.End(output);
        output.WriteLine("  GIL held: the share of the run's wall time the emulated lock was held (GilStatistics.Load). Results were checked equal to the serial run.");
        output.WriteLine("  \"Releases it\" wraps the native call in Gil.Release(), as hashlib and zlib do (Py_BEGIN_ALLOW_THREADS) for large buffers.");
        output.WriteLine();

        double releasedSpeedup = table.Speedup(released);
        double heldSpeedup = table.Speedup(held);
        return RowResult.ForParallelClaim(
            $"threads {releasedSpeedup:F2}x serial when the native call releases the GIL ({heldSpeedup:F2}x when it keeps it)",
            releasedSpeedup,
            heldSpeedup,
            capacity,
            overRival: 1.2);
    }

    private static (TimeSpan Elapsed, GilStatistics Gil) RunUnderGil(byte[][] data, Func<byte[], (int, long)> work, (int, long)[] expected)
    {
        GilStatistics? statistics = null;
        TimeSpan elapsed = Measure.Time(() =>
        {
            using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = Workers, GilMode = GilMode.Emulated });
            Check(executor.Map(work, data).ToArray(), expected);

            statistics = executor.GilLock!.GetStatistics();
        });
        return (elapsed, statistics!);
    }
}
