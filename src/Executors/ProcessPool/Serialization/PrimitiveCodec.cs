using System.Runtime.CompilerServices;
using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// Writes and reads the common primitive types (<c>bool</c>, the integer types, <c>float</c>,
/// <c>double</c>, <c>char</c>, <c>string</c>, <c>byte[]</c>) straight on the MessagePack writer and
/// reader, with exactly the bytes MessagePack's built-in formatters produce and accept.
/// </summary>
/// <remarks>
/// Why: the first formatter lookup initializes MessagePack's built-in resolver, whose static
/// constructor loads and constructs every built-in formatter (well over a hundred types). A worker
/// process paid about 35 ms of its start-up for that before answering a task that returns an
/// <c>int</c>. This path never touches the resolver, and on the hot path it also skips the formatter
/// lookup and the boxing delegate of <see cref="BoxedCodec"/>. Enums are deliberately not covered:
/// they go through the resolver as before. Tests pin the equivalence with the built-in formatters.
/// </remarks>
internal static class PrimitiveCodec
{
    /// <summary>Tells whether <paramref name="type"/> is one of the covered types.</summary>
    public static bool Covers(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(string) || type == typeof(double)
        || type == typeof(bool) || type == typeof(byte[]) || type == typeof(float) || type == typeof(uint)
        || type == typeof(ulong) || type == typeof(short) || type == typeof(ushort) || type == typeof(byte)
        || type == typeof(sbyte) || type == typeof(char);

    /// <summary>Writes <paramref name="value"/> as <paramref name="declaredType"/> if that type is covered.</summary>
    /// <returns><see langword="false"/> if the type is not covered; nothing was written.</returns>
    public static bool TryWrite(ref MessagePackWriter writer, Type declaredType, object? value)
    {
        if (declaredType == typeof(int))
        {
            writer.Write((int)value!);
        }
        else if (declaredType == typeof(long))
        {
            writer.Write((long)value!);
        }
        else if (declaredType == typeof(string))
        {
            writer.Write((string?)value);
        }
        else if (declaredType == typeof(double))
        {
            writer.Write((double)value!);
        }
        else if (declaredType == typeof(bool))
        {
            writer.Write((bool)value!);
        }
        else if (declaredType == typeof(byte[]))
        {
            WriteBytes(ref writer, (byte[]?)value);
        }
        else if (declaredType == typeof(float))
        {
            writer.Write((float)value!);
        }
        else if (declaredType == typeof(uint))
        {
            writer.Write((uint)value!);
        }
        else if (declaredType == typeof(ulong))
        {
            writer.Write((ulong)value!);
        }
        else if (declaredType == typeof(short))
        {
            writer.Write((short)value!);
        }
        else if (declaredType == typeof(ushort))
        {
            writer.Write((ushort)value!);
        }
        else if (declaredType == typeof(byte))
        {
            writer.Write((byte)value!);
        }
        else if (declaredType == typeof(sbyte))
        {
            writer.Write((sbyte)value!);
        }
        else if (declaredType == typeof(char))
        {
            writer.Write((char)value!);
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>Reads a <paramref name="declaredType"/> if that type is covered.</summary>
    /// <returns><see langword="false"/> if the type is not covered; nothing was read.</returns>
    public static bool TryRead(ref MessagePackReader reader, Type declaredType, out object? value)
    {
        if (declaredType == typeof(int))
        {
            value = reader.ReadInt32();
        }
        else if (declaredType == typeof(long))
        {
            value = reader.ReadInt64();
        }
        else if (declaredType == typeof(string))
        {
            value = reader.ReadString();
        }
        else if (declaredType == typeof(double))
        {
            value = reader.ReadDouble();
        }
        else if (declaredType == typeof(bool))
        {
            value = reader.ReadBoolean();
        }
        else if (declaredType == typeof(byte[]))
        {
            value = ReadBytes(ref reader);
        }
        else if (declaredType == typeof(float))
        {
            value = reader.ReadSingle();
        }
        else if (declaredType == typeof(uint))
        {
            value = reader.ReadUInt32();
        }
        else if (declaredType == typeof(ulong))
        {
            value = reader.ReadUInt64();
        }
        else if (declaredType == typeof(short))
        {
            value = reader.ReadInt16();
        }
        else if (declaredType == typeof(ushort))
        {
            value = reader.ReadUInt16();
        }
        else if (declaredType == typeof(byte))
        {
            value = reader.ReadByte();
        }
        else if (declaredType == typeof(sbyte))
        {
            value = reader.ReadSByte();
        }
        else if (declaredType == typeof(char))
        {
            value = reader.ReadChar();
        }
        else
        {
            value = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Writes a <typeparamref name="T"/> without boxing if it is covered; the type tests fold away when
    /// the method is compiled for a value type.
    /// </summary>
    /// <returns><see langword="false"/> if <typeparamref name="T"/> is not covered; nothing was written.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryWrite<T>(ref MessagePackWriter writer, T value)
    {
        if (typeof(T) == typeof(int))
        {
            writer.Write(Unsafe.As<T, int>(ref value));
            return true;
        }

        if (typeof(T) == typeof(long))
        {
            writer.Write(Unsafe.As<T, long>(ref value));
            return true;
        }

        if (typeof(T) == typeof(double))
        {
            writer.Write(Unsafe.As<T, double>(ref value));
            return true;
        }

        if (typeof(T) == typeof(bool))
        {
            writer.Write(Unsafe.As<T, bool>(ref value));
            return true;
        }

        // Checked first so that a value type that is not covered is never boxed.
        return Covers(typeof(T)) && TryWrite(ref writer, typeof(T), value);
    }

    /// <summary>Reads a <typeparamref name="T"/> without boxing if it is covered.</summary>
    /// <returns><see langword="false"/> if <typeparamref name="T"/> is not covered; nothing was read.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead<T>(ref MessagePackReader reader, out T value)
    {
        if (typeof(T) == typeof(int))
        {
            int read = reader.ReadInt32();
            value = Unsafe.As<int, T>(ref read);
            return true;
        }

        if (typeof(T) == typeof(long))
        {
            long read = reader.ReadInt64();
            value = Unsafe.As<long, T>(ref read);
            return true;
        }

        if (typeof(T) == typeof(double))
        {
            double read = reader.ReadDouble();
            value = Unsafe.As<double, T>(ref read);
            return true;
        }

        if (typeof(T) == typeof(bool))
        {
            bool read = reader.ReadBoolean();
            value = Unsafe.As<bool, T>(ref read);
            return true;
        }

        if (Covers(typeof(T)) && TryRead(ref reader, typeof(T), out object? boxed))
        {
            value = (T)boxed!;
            return true;
        }

        value = default!;
        return false;
    }

    private static void WriteBytes(ref MessagePackWriter writer, byte[]? bytes)
    {
        if (bytes is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(bytes);
        }
    }

    private static byte[]? ReadBytes(ref MessagePackReader reader) =>
        reader.ReadBytes() is { } sequence ? System.Buffers.BuffersExtensions.ToArray(sequence) : null;
}
