using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// How to ship a compiler-generated closure (<c>&lt;&gt;c__DisplayClass…</c>): its captured fields in
/// metadata order, each written with its declared type, nested closures recursively. Built once per
/// closure type, identically in the parent and the worker (both read the same assembly).
/// </summary>
internal sealed class ClosureShape
{
    private static readonly ConcurrentDictionary<Type, ClosureShape> s_shapes = new();

    private readonly Type _type;
    private readonly FieldInfo[] _fields;
    private readonly ClosureShape?[] _nested;

    private ClosureShape(Type type)
    {
        _type = type;
        _fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .OrderBy(f => f.MetadataToken)
            .ToArray();
        _nested = new ClosureShape?[_fields.Length];
        for (int i = 0; i < _fields.Length; i++)
        {
            if (IsClosureType(_fields[i].FieldType))
            {
                _nested[i] = For(_fields[i].FieldType);
            }
        }
    }

    /// <summary>Gets the shape of <paramref name="closureType"/>.</summary>
    public static ClosureShape For(Type closureType) => s_shapes.GetOrAdd(closureType, static t => new ClosureShape(t));

    /// <summary>Tells whether <paramref name="type"/> is a compiler-generated closure class.</summary>
    public static bool IsClosureType(Type type) =>
        type.IsClass
        && type.Name.Contains("DisplayClass", StringComparison.Ordinal)
        && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    /// <summary>Writes <paramref name="closure"/>'s captured values.</summary>
    /// <exception cref="CapturedValueException">A captured value cannot be serialized; the message names it.</exception>
    public void Write(ref MessagePackWriter writer, object? closure)
    {
        if (closure is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(_fields.Length);
        for (int i = 0; i < _fields.Length; i++)
        {
            FieldInfo field = _fields[i];
            object? value = field.GetValue(closure);
            if (_nested[i] is { } nested)
            {
                nested.Write(ref writer, value);
                continue;
            }

            try
            {
                DeclaredTypeCheck.EnsureRoundTrips(field.FieldType, value, "The captured value");
                BoxedCodec.Serialize(field.FieldType, ref writer, value);
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or NotSupportedException or InvalidOperationException)
            {
                throw new CapturedValueException(DescribeField(field), field.FieldType, ex);
            }
        }
    }

    /// <summary>Reads a closure written by <see cref="Write"/>.</summary>
    public object? Read(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        int count = reader.ReadArrayHeader();
        if (count != _fields.Length)
        {
            throw new InvalidDataException($"Malformed closure for '{_type}': {count} values for {_fields.Length} captured fields.");
        }

        object closure = RuntimeHelpers.GetUninitializedObject(_type);
        for (int i = 0; i < _fields.Length; i++)
        {
            object? value = _nested[i] is { } nested
                ? nested.Read(ref reader)
                : BoxedCodec.Deserialize(_fields[i].FieldType, ref reader);
            _fields[i].SetValue(closure, value);
        }

        return closure;
    }

    private static string DescribeField(FieldInfo field) =>
        field.Name switch
        {
            "<>4__this" => $"'this' ({field.FieldType})",
            _ => $"the variable '{field.Name}'",
        };
}
