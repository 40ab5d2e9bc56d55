using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// Serializes values whose type is known only at run time (a resolved method's parameters, a
/// closure's fields) through the generic MessagePack API, with one delegate per type built from a
/// generic method instantiation. The common primitives skip all of that (<see cref="PrimitiveCodec"/>). MessagePack's own non-generic API compiles an expression tree per
/// type on first use (tens of milliseconds, paid again in every new worker process); a delegate
/// over <see cref="MethodInfo.MakeGenericMethod"/> costs microseconds.
/// </summary>
internal static class BoxedCodec
{
    private static readonly ConcurrentDictionary<Type, Codec> s_codecs = new();

    private static readonly MethodInfo s_serializeTyped =
        typeof(BoxedCodec).GetMethod(nameof(SerializeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo s_deserializeTyped =
        typeof(BoxedCodec).GetMethod(nameof(DeserializeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private delegate void Serializer(ref MessagePackWriter writer, object? value);

    private delegate object? Deserializer(ref MessagePackReader reader);

    /// <summary>Writes <paramref name="value"/> as <paramref name="type"/>.</summary>
    public static void Serialize(Type type, ref MessagePackWriter writer, object? value)
    {
        if (!PrimitiveCodec.TryWrite(ref writer, type, value))
        {
            Get(type).Serialize(ref writer, value);
        }
    }

    /// <summary>Reads a <paramref name="type"/>.</summary>
    public static object? Deserialize(Type type, ref MessagePackReader reader) =>
        PrimitiveCodec.TryRead(ref reader, type, out object? value) ? value : Get(type).Deserialize(ref reader);

    private static Codec Get(Type type) =>
        s_codecs.TryGetValue(type, out Codec? codec) ? codec : s_codecs.GetOrAdd(type, static t => new Codec(
            s_serializeTyped.MakeGenericMethod(t).CreateDelegate<Serializer>(),
            s_deserializeTyped.MakeGenericMethod(t).CreateDelegate<Deserializer>()));

    private static void SerializeTyped<T>(ref MessagePackWriter writer, object? value) =>
        MessagePackSerializer.Serialize(ref writer, (T)value!, TaskSerializer.Options);

    private static object? DeserializeTyped<T>(ref MessagePackReader reader) =>
        MessagePackSerializer.Deserialize<T>(ref reader, TaskSerializer.Options);

    private sealed record Codec(Serializer Serialize, Deserializer Deserialize);
}
