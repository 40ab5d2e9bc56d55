using BenchmarkDotNet.Attributes;

namespace Executors.Benchmarks.Micro;

/// <summary>
/// Submit <see cref="N"/> no-op tasks and wait for all of them: <see cref="ThreadPoolExecutor"/>
/// (<see cref="Environment.ProcessorCount"/> workers) against <see cref="Task.Run{TResult}(Func{TResult})"/>
/// and the raw <see cref="ThreadPool"/> (the baseline). Per-operation figures cover all N tasks.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet disposes them in [GlobalCleanup].")]
public class SubmitOverheadBenchmarks
{
    /// <summary>Tasks per benchmark operation.</summary>
    public const int N = 1000;

    private static readonly Func<int, int> s_identity = static x => x;
    private static readonly Func<int> s_constant = static () => 42;
    private static readonly Action<CountdownEvent> s_signal = static countdown => countdown.Signal();

    // Reused across operations so that only the per-task cost is measured and allocated.
    private readonly Future<int>[] _futures = new Future<int>[N];
    private readonly Task<int>[] _tasks = new Task<int>[N];
    private readonly CountdownEvent _countdown = new(N);

    private ThreadPoolExecutor _executor = null!;

    [GlobalSetup]
    public void Setup() => _executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);

    [GlobalCleanup]
    public void Cleanup()
    {
        _executor.Dispose();
        _countdown.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void RawThreadPool_UnsafeQueueUserWorkItem()
    {
        _countdown.Reset(N);
        for (int i = 0; i < N; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(s_signal, _countdown, preferLocal: false);
        }

        _countdown.Wait();
    }

    [Benchmark]
    public void TaskRun()
    {
        for (int i = 0; i < N; i++)
        {
            _tasks[i] = Task.Run(s_constant);
        }

        Task.WaitAll(_tasks);
    }

    [Benchmark]
    public void ThreadPoolExecutor_Submit()
    {
        for (int i = 0; i < N; i++)
        {
            _futures[i] = _executor.Submit(s_identity, i);
        }

        Futures.Wait(_futures);
    }
}
