using Executors.ProcessPool.Serialization;
using Executors.ProcessPool.Worker;

namespace Executors.Tests.ProcessPool.Worker;

public sealed class ChunkRunnerTests
{
    [Fact]
    public void For_OneParameterWithAResult_IsTyped()
    {
        Assert.IsType<ChunkRunner<int, int>>(ChunkRunner.For(Plan(static (int x) => x + 1)));
        Assert.IsType<ChunkRunner<string, long>>(ChunkRunner.For(Plan(static (string s) => (long)s.Length)));
        long captured = 3;
        Assert.IsType<ChunkRunner<int, long>>(ChunkRunner.For(Plan((int x) => x + captured)));
    }

    [Fact]
    public void For_InstanceMethodOfAValueType_LeavesItToTheReflectivePath()
    {
        var adder = new Adder(2);

        Assert.Null(ChunkRunner.For(Plan<int, int>(adder.Add)));
    }

    private static CallablePlan Plan<T, TResult>(Func<T, TResult> fn) => CallablePlan.ForDelegate(fn, nameof(fn));

    public readonly record struct Adder(int Offset)
    {
        public int Add(int x) => x + Offset;
    }
}
