using BenchmarkDotNet.Attributes;

namespace Executors.Benchmarks.Micro;

/// <summary>
/// What the GIL emulation costs a thread that holds the lock alone (model property P8): a checkpoint
/// with nothing pending (target: a few nanoseconds, no lock, no allocation), an uncontended acquire and
/// release (target ≤ 300 ns), a release scope, and for scale a checkpoint on a thread with no lock at
/// all (what <see cref="GilMode.Disabled"/> code pays for calling <see cref="Gil.Checkpoint()"/>).
/// </summary>
[MemoryDiagnoser]
public class GilBenchmarks
{
    private const int OperationsPerInvoke = 1_000;

    private readonly GlobalInterpreterLock _gil = new();
    private GilHold _hold;

    [GlobalSetup(Targets = [nameof(Checkpoint_Holding_NothingPending), nameof(ReleaseScope_Uncontended)])]
    public void Hold() => _hold = _gil.Acquire();

    [GlobalCleanup(Targets = [nameof(Checkpoint_Holding_NothingPending), nameof(ReleaseScope_Uncontended)])]
    public void Unhold() => _hold.Dispose();

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public void Checkpoint_Holding_NothingPending()
    {
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            Gil.Checkpoint();
        }
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public void Checkpoint_NoLock()
    {
        for (int i = 0; i < OperationsPerInvoke; i++)
        {
            Gil.Checkpoint();
        }
    }

    [Benchmark]
    public void Acquire_Release_Uncontended()
    {
        using GilHold hold = _gil.Acquire();
    }

    [Benchmark]
    public void ReleaseScope_Uncontended()
    {
        using GilReleaseScope scope = Gil.Release();
    }
}
