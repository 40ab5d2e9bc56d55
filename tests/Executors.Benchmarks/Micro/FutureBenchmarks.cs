using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Executors.Benchmarks.Micro;

/// <summary>
/// Single-threaded cost of a <see cref="Future{TResult}"/>'s basic operations, each against its
/// <see cref="TaskCompletionSource{TResult}"/> equivalent (the baseline of its category).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FutureBenchmarks
{
    private static readonly Action<Future> s_futureCallback = static _ => { };
    private static readonly Action<Task<int>> s_taskContinuation = static _ => { };

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("CreateSetGet")]
    public int Tcs_Create_SetResult_Result()
    {
        var tcs = new TaskCompletionSource<int>();
        tcs.SetResult(1);
        return tcs.Task.Result;
    }

    [Benchmark]
    [BenchmarkCategory("CreateSetGet")]
    public int Future_Create_SetResult_GetResult()
    {
        var future = new Future<int>();
        future.SetResult(1);
        return future.GetResult();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Callback")]
    public Task Tcs_ContinueWith_SetResult()
    {
        var tcs = new TaskCompletionSource<int>();
        Task continuation = tcs.Task.ContinueWith(s_taskContinuation, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        tcs.SetResult(1);
        return continuation;
    }

    [Benchmark]
    [BenchmarkCategory("Callback")]
    public Future Future_AddDoneCallback_SetResult()
    {
        var future = new Future<int>();
        future.AddDoneCallback(s_futureCallback);
        future.SetResult(1);
        return future;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("AwaitCompleted")]
    public async Task<int> Tcs_Await_Completed()
    {
        var tcs = new TaskCompletionSource<int>();
        tcs.SetResult(1);
        return await tcs.Task.ConfigureAwait(false);
    }

    [Benchmark]
    [BenchmarkCategory("AwaitCompleted")]
    public async Task<int> Future_AsTask_Await_Completed()
    {
        var future = new Future<int>();
        future.SetResult(1);
        return await future.AsTask().ConfigureAwait(false);
    }
}
