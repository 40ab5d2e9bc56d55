using Executors;
using Samples.Shared;
using static Samples.Shared.ResultCheck;

namespace Samples.FreeThreaded;

/// <summary>
/// "Threads may eventually replace processes for CPU-bound work" (free-threaded Python): CPU-bound
/// work on one shared image, by threads under one GIL (CPython's default build), by threads with no
/// GIL (free-threaded 3.13t/3.14t: <see cref="GilMode.Disabled"/>), by threads with one GIL each
/// (3.14's <c>InterpreterPoolExecutor</c>: <see cref="GilMode.PerWorker"/>), and by worker
/// processes, which must be sent a copy of their part of the image.
/// </summary>
public static class FreeThreadedDemo
{
    private const int Workers = 2;
    private const int Width = 4096;

    /// <summary>Runs the comparison, prints what was measured, and returns the tour's summary.</summary>
    public static RowResult Run(RunSize size, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int height = size == RunSize.Tour ? 6144 : 16384;
        int bands = 16;
        byte[] image = Image.Create(Width, height, seed: 3);
        int bandPixels = image.Length / bands;
        int[] starts = Enumerable.Range(0, bands).Select(b => b * bandPixels).ToArray();
        output.WriteLine($"Shared memory, no GIL: gamma correction (Math.Pow per pixel) over a {Width} x {height} grayscale image ({image.Length >> 20} MiB, one shared byte[]), in {bands} bands.");

        Image.GammaSum(image, 0, 100_000); // JIT
        var capacityCheck = CapacityCheck.Start();
        var table = new SpeedupTable("image bytes copied");

        (long[] expected, TimeSpan serial) = Measure.Time(() => starts.Select(s => Image.GammaSum(image, s, bandPixels)).ToArray());
        table.AddSerialRun(serial, "0");

        var elapsedByMode = new Dictionary<GilMode, TimeSpan>();
        foreach ((GilMode mode, string label) in new[]
        {
            (GilMode.Emulated, "one GIL for both (CPython's default build)"),
            (GilMode.Disabled, "no GIL (free-threaded 3.13t/3.14t)"),
            (GilMode.PerWorker, "one GIL per worker (3.14 InterpreterPoolExecutor)"),
        })
        {
            // The tasks read the shared image in place: threads share memory, nothing is copied.
            TimeSpan elapsed = Measure.Time(() =>
            {
                using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = Workers, GilMode = mode });
                Check(executor.Map(s => Image.GammaSum(image, s, bandPixels), starts).ToArray(), expected);
            });
            elapsedByMode[mode] = elapsed;
            table.Add($"ThreadPoolExecutor({Workers}), {label}", elapsed, "0");
        }

        // Processes share no memory: each band is copied into a byte[] and sent through a pipe.
        using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = Workers, WorkerGil = new GilOptions() });
        Check(pool.Map(Image.GammaSumOfBand, [image[..bandPixels], image[bandPixels..(2 * bandPixels)]]).ToArray(), expected[..2]); // start and warm both workers
        TimeSpan processes = Measure.Time(() =>
        {
            IEnumerable<byte[]> copies = starts.Select(s => image.AsSpan(s, bandPixels).ToArray());
            Check(pool.Map(Image.GammaSumOfBand, copies).ToArray(), expected);
        });
        table.Add($"ProcessPoolExecutor({Workers}), warm pool", processes, $"{(long)bandPixels * bands >> 20} MiB");
        table.AddSerialRun(Measure.Time(() => Check(starts.Select(s => Image.GammaSum(image, s, bandPixels)).ToArray(), expected)), "0");

        table.WriteTo(output);
        double capacity = capacityCheck.End(output);
        output.WriteLine("  Every row computed the same sums (checked). Threads read the one image in place; the process pool's time includes copying the bands and sending them.");
        output.WriteLine("  PerWorker shares the image too: the emulation models each interpreter's own lock, not CPython's isolation (there, the data would be copied in).");
        output.WriteLine();

        double freeThreaded = table.Speedup(elapsedByMode[GilMode.Disabled]);
        double oneGil = table.Speedup(elapsedByMode[GilMode.Emulated]);
        double processSpeedup = table.Speedup(processes);
        return RowResult.ForParallelClaim(
            $"threads, no GIL {freeThreaded:F2}x serial (one GIL {oneGil:F2}x; processes, with copies, {processSpeedup:F2}x)",
            freeThreaded,
            oneGil,
            capacity);
    }
}
