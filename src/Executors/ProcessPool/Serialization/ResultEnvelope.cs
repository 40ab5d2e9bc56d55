using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// The payload of a <c>Result</c> frame: the value written with the method's declared return type
/// (<c>nil</c> for an action). A chunk result is <c>[count, [0, value] | [1, error]...]</c>, so each
/// item of a Map chunk succeeds or fails on its own.
/// </summary>
internal static class ResultEnvelope
{
    public static void WriteValue(ref MessagePackWriter writer, Type declaredType, object? value)
    {
        if (declaredType == typeof(void))
        {
            writer.WriteNil();
            return;
        }

        DeclaredTypeCheck.EnsureRoundTrips(declaredType, value, "The result");
        BoxedCodec.Serialize(declaredType, ref writer, value);
    }

    /// <summary>Reads a single result in the parent.</summary>
    public static TResult ReadValue<TResult>(ref MessagePackReader reader, Type declaredType)
    {
        if (declaredType == typeof(void))
        {
            reader.Skip();
            return default!;
        }

        if (declaredType == typeof(TResult) && PrimitiveCodec.TryRead(ref reader, out TResult primitive))
        {
            return primitive;
        }

        return declaredType == typeof(TResult)
            ? MessagePackSerializer.Deserialize<TResult>(ref reader, TaskSerializer.Options)
            : (TResult)BoxedCodec.Deserialize(declaredType, ref reader)!;
    }
}
