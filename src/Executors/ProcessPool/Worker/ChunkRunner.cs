using System.Buffers;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Worker;

/// <summary>
/// Runs a chunk of Map items typed: the items are read as the method's parameter type, the method is
/// called through a <see cref="Func{T, TResult}"/> and each result is written as its return type. The
/// answer has exactly the layout and bytes of the reflective path in <see cref="WorkerLoop"/>, without a
/// box, an object array or a reflective call per item (docs/design/0010).
/// </summary>
internal abstract class ChunkRunner
{
    /// <summary>
    /// Builds the runner for <paramref name="plan"/>'s method: one parameter, a result, no by-ref-like
    /// types, and not an instance method of a value type (its delegate would call a copy).
    /// </summary>
    /// <returns>The runner, or <see langword="null"/> if the method needs the reflective path.</returns>
    public static ChunkRunner? For(CallablePlan plan)
    {
        if (plan.ParameterTypes.Length != 1 || plan.ReturnType == typeof(void))
        {
            return null;
        }

        Type item = plan.ParameterTypes[0];
        Type result = plan.ReturnType;
        if (item.IsByRefLike || result.IsByRefLike || item.ContainsGenericParameters || result.ContainsGenericParameters
            || (!plan.Method.IsStatic && plan.Method.DeclaringType!.IsValueType))
        {
            return null;
        }

        return (ChunkRunner)Activator.CreateInstance(typeof(ChunkRunner<,>).MakeGenericType(item, result), plan)!;
    }

    /// <summary>
    /// Reads <paramref name="count"/> items, runs the method on each and writes the chunk answer into
    /// <paramref name="answer"/>. An item that throws, or whose result cannot be serialized, fails on its own.
    /// </summary>
    /// <exception cref="Exception">An item could not be read: the chunk as a whole fails, as on the reflective path.</exception>
    public abstract void Run(ref MessagePackReader reader, int count, object? target, OutgoingFrame answer, ArrayBufferWriter<byte> scratch);
}
