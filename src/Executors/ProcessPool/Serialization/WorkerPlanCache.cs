using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// The worker's cache of resolved methods, keyed by the parent's plan id: the first task of a method
/// pays for resolving its <see cref="MethodReference"/>, later ones skip those bytes.
/// </summary>
/// <remarks>Used by the worker's single dispatch thread only; not thread-safe.</remarks>
internal sealed class WorkerPlanCache
{
    private readonly Dictionary<int, CallablePlan> _plans = [];
    private readonly AssemblyGate _gate;

    public WorkerPlanCache(AssemblyGate gate) => _gate = gate;

    /// <summary>Returns the plan for <paramref name="id"/>, reading the method reference that follows in <paramref name="reader"/>.</summary>
    public CallablePlan GetOrResolve(int id, ref MessagePackReader reader)
    {
        if (_plans.TryGetValue(id, out CallablePlan? plan))
        {
            reader.Skip();
            return plan;
        }

        plan = CallablePlan.ForResolvedMethod(MethodReference.Read(ref reader, _gate));
        _plans[id] = plan;
        return plan;
    }
}
