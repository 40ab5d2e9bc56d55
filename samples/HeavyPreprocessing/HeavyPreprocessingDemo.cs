using Executors;
using Samples.Shared;
using static Samples.Shared.ResultCheck;

namespace Samples.Preprocessing;

/// <summary>
/// "Text parsing / tokenization" on a process pool: a generated corpus goes through
/// <see cref="Preprocessor.Process"/> serially, on two threads under the emulated GIL, and with
/// <see cref="ProcessPoolExecutor.Map"/> at two chunk sizes (one document per message, and 64 per message).
/// </summary>
public static class HeavyPreprocessingDemo
{
    private const int Workers = 2;
    private const int Seed = 7;
    private const int WarmUpDocuments = 3_000;
    private const int MinWarmUpPasses = 2;
    private const int MaxWarmUpPasses = 6;

    /// <summary>Time for tiered compilation to finish re-optimizing the code a warm-up pass made hot.</summary>
    private static readonly TimeSpan s_tieringPause = TimeSpan.FromMilliseconds(200);

    /// <summary>Runs the comparison, prints what was measured, and returns the tour's summary.</summary>
    public static RowResult Run(RunSize size, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int count = size == RunSize.Tour ? 6_000 : 12_000;
        string[] documents = Corpus.Generate(count, Seed);
        output.WriteLine($"Heavy preprocessing: {count:N0} generated documents ({documents.Sum(d => (long)d.Length) / 1024:N0} KiB of text): tokenize, lower-case, spell-correct against a {Corpus.Vocabulary.Count:N0}-word vocabulary, count.");

        // Warm-up, not timed: 3,000 documents through the serial path here, and (below) through
        // the pool at both chunk sizes. Tiered compilation re-optimizes hot code (the library's, the
        // serializer's) after ~30 calls and a 100 ms pause; a fresh worker process starts cold.
        string[] warmUp = documents[..Math.Min(count, WarmUpDocuments)];
        Array.ForEach(warmUp, d => Preprocessor.Process(d));
        var capacityCheck = CapacityCheck.Start();

        var table = new SpeedupTable("documents/s");
        (DocumentFeatures[] expected, TimeSpan serial) = Measure.Time(() => documents.Select(Preprocessor.Process).ToArray());
        table.AddSerialRun(serial, PerSecond(count, serial));

        // CPython's threads: one emulated interpreter, so the tokenizing takes turns on its lock.
        TimeSpan threadsGil = Measure.Time(() =>
        {
            using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = Workers, GilMode = GilMode.Emulated });
            Check(executor.Map(Preprocessor.Process, documents).ToArray(), expected);
        });
        table.Add($"ThreadPoolExecutor({Workers}), GIL emulated (CPython)", threadsGil, PerSecond(count, threadsGil));

        // Each worker process is its own emulated interpreter with its own GIL, as in CPython.
        using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = Workers, WorkerGil = new GilOptions() });
        TimeSpan startup = Measure.Time(() => StartBothWorkers(pool));
        // Warm-up passes (at least two) until a pass is no longer clearly faster than the one before
        // (steady state): a fresh worker needs several thousand documents before its code is optimized.
        int passes = 0;
        TimeSpan warming = Measure.Time(() =>
        {
            Check(pool.Map(Preprocessor.Process, warmUp, chunkSize: 1).ToArray(), expected[..warmUp.Length]);
            TimeSpan previous = TimeSpan.MaxValue;
            while (passes < MaxWarmUpPasses)
            {
                passes++;
                TimeSpan pass = Measure.Time(() => Check(pool.Map(Preprocessor.Process, warmUp, chunkSize: 64).ToArray(), expected[..warmUp.Length]));
                if (passes >= MinWarmUpPasses && pass > previous * 0.9)
                {
                    break;
                }

                previous = pass;
            }

            Thread.Sleep(s_tieringPause);
        });

        var results = new List<(int ChunkSize, TimeSpan Elapsed)>();
        foreach (int chunkSize in new[] { 1, 64 })
        {
            (DocumentFeatures[] actual, TimeSpan elapsed) = Measure.Time(() => pool.Map(Preprocessor.Process, documents, chunkSize: chunkSize).ToArray());
            Check(actual, expected);
            table.Add($"ProcessPoolExecutor({Workers}).Map, chunkSize {chunkSize}", elapsed, PerSecond(count, elapsed));
            results.Add((chunkSize, elapsed));
        }

        serial = Measure.Time(() => Check(documents.Select(Preprocessor.Process).ToArray(), expected));
        table.AddSerialRun(serial, PerSecond(count, serial));
        table.WriteTo(output);
        double capacity = capacityCheck.End(output);
        output.WriteLine($"  Not timed: starting the pool (both workers answering: {startup.TotalMilliseconds:F0} ms) and warming it up on {warmUp.Length:N0} documents: once at chunkSize 1, {passes} times at 64, until a pass was no faster than the one before ({warming.TotalMilliseconds:F0} ms),");
        output.WriteLine("  as the serial path was warmed on the same documents: the figures compare warm code (a fresh .NET process starts with unoptimized code).");
        output.WriteLine($"  Every document travels to a worker as a string and comes back as a small record (MessagePack over pipes); results were checked equal to the serial runs'.");
        output.WriteLine();

        double speedup = table.Speedup(results[1].Elapsed);
        double gilSpeedup = table.Speedup(threadsGil);
        return RowResult.ForParallelClaim(
            $"processes {speedup:F2}x serial (chunkSize 64; 1: {table.Speedup(results[0].Elapsed):F2}x); threads under the GIL {gilSpeedup:F2}x",
            speedup,
            gilSpeedup,
            capacity);
    }

    /// <summary>Starts both workers: one slow task each (a task holds its worker, so the second goes to the other).</summary>
    private static void StartBothWorkers(ProcessPoolExecutor pool)
    {
        Future<int>[] started = Enumerable.Range(0, Workers).Select(_ => pool.Submit(SlowPid)).ToArray();
        Array.ForEach(started, f => f.GetResult(TimeSpan.FromMinutes(1)));
    }

    private static int SlowPid()
    {
        Thread.Sleep(100);
        return Environment.ProcessId;
    }

    private static string PerSecond(int count, TimeSpan elapsed) => $"{count / elapsed.TotalSeconds:N0}";
}
