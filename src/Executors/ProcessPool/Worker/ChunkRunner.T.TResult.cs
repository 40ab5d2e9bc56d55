using System.Buffers;
using System.Runtime.CompilerServices;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Worker;

/// <summary>The typed <see cref="ChunkRunner"/> of a method taking a <typeparamref name="T"/> and returning a <typeparamref name="TResult"/>.</summary>
/// <typeparam name="T">The method's parameter type.</typeparam>
/// <typeparam name="TResult">The method's return type.</typeparam>
internal sealed class ChunkRunner<T, TResult> : ChunkRunner
{
    private readonly CallablePlan _plan;

    /// <summary>The delegate when the target never changes (a static method, a non-capturing lambda).</summary>
    private readonly Func<T, TResult>? _fixed;

    /// <summary>Whether a value of <typeparamref name="TResult"/> is written without the scratch buffer (it cannot fail halfway).</summary>
    private static readonly bool s_resultIsPrimitiveValue = typeof(TResult).IsValueType && PrimitiveCodec.Covers(typeof(TResult));

    public ChunkRunner(CallablePlan plan)
    {
        _plan = plan;
        if (plan.Kind is TargetKind.None or TargetKind.Singleton)
        {
            _fixed = plan.Method.CreateDelegate<Func<T, TResult>>(plan.Kind == TargetKind.None ? null : plan.SingletonTarget);
        }
    }

    // Optimized at once, like WorkerLoop.RunChunk: its loops run per Map item.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Run(ref MessagePackReader reader, int count, object? target, OutgoingFrame answer, ArrayBufferWriter<byte> scratch)
    {
        // Every item is read before any runs: an unreadable item fails the whole chunk, as before.
        var items = new T[count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = ReadItem(ref reader);
        }

        Func<T, TResult> fn = _fixed ?? _plan.Method.CreateDelegate<Func<T, TResult>>(target);
        answer.Reset();
        var writer = new MessagePackWriter(answer);
        writer.WriteArrayHeader(items.Length);
        foreach (T item in items)
        {
            writer.WriteArrayHeader(2);
            TResult result;
            try
            {
                result = fn(item);
            }
            catch (Exception ex)
            {
                writer.Write(1);
                ErrorEnvelope.Write(ref writer, ex);
                continue;
            }

            if (s_resultIsPrimitiveValue)
            {
                writer.Write(0);
                PrimitiveCodec.TryWrite(ref writer, result);
                continue;
            }

            // Serialize to a scratch buffer first: a value that fails halfway must not corrupt the chunk.
            scratch.ResetWrittenCount();
            var scratchWriter = new MessagePackWriter(scratch);
            try
            {
                WriteResult(ref scratchWriter, result);
                scratchWriter.Flush();
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or NotSupportedException or InvalidOperationException)
            {
                writer.Write(1);
                ErrorEnvelope.Write(ref writer, new NotSupportedException($"The result cannot be serialized back to the parent: {ex.Message}", ex));
                continue;
            }

            writer.Write(0);
            writer.WriteRaw(scratch.WrittenSpan);
        }

        writer.Flush();
    }

    private static T ReadItem(ref MessagePackReader reader) =>
        PrimitiveCodec.TryRead(ref reader, out T item) ? item : MessagePackSerializer.Deserialize<T>(ref reader, TaskSerializer.Options);

    private static void WriteResult(ref MessagePackWriter writer, TResult result)
    {
        // As ResultEnvelope.WriteValue: refuse a value that would not arrive as itself.
        DeclaredTypeCheck.EnsureRoundTrips(typeof(TResult), result, "The result");
        if (!PrimitiveCodec.TryWrite(ref writer, result))
        {
            MessagePackSerializer.Serialize(ref writer, result, TaskSerializer.Options);
        }
    }
}
