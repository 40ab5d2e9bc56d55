using System.Buffers;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.Tests.ProcessPool.Serialization;

/// <summary>
/// The primitive fast path must be byte-for-byte what MessagePack's built-in formatters write and
/// must read what they write: a parent and a worker may take different paths for the same value.
/// </summary>
public sealed class PrimitiveCodecTests
{
    public static TheoryData<Type, object?> Values => new()
    {
        { typeof(int), 0 }, { typeof(int), -1 }, { typeof(int), 127 }, { typeof(int), 128 }, { typeof(int), -33 },
        { typeof(int), int.MinValue }, { typeof(int), int.MaxValue }, { typeof(int), 65536 },
        { typeof(long), 0L }, { typeof(long), long.MinValue }, { typeof(long), long.MaxValue }, { typeof(long), -129L }, { typeof(long), 1L << 40 },
        { typeof(uint), 0u }, { typeof(uint), uint.MaxValue }, { typeof(ulong), ulong.MaxValue }, { typeof(ulong), 255UL },
        { typeof(short), short.MinValue }, { typeof(short), (short)-5 }, { typeof(ushort), ushort.MaxValue },
        { typeof(byte), (byte)200 }, { typeof(sbyte), sbyte.MinValue }, { typeof(char), 'é' }, { typeof(char), '\0' },
        { typeof(bool), true }, { typeof(bool), false },
        { typeof(double), 0.1 }, { typeof(double), double.NaN }, { typeof(double), double.NegativeInfinity }, { typeof(double), -0.0 },
        { typeof(float), 1.5f }, { typeof(float), float.MaxValue },
        { typeof(string), "héllo" }, { typeof(string), string.Empty }, { typeof(string), null }, { typeof(string), new string('x', 70_000) },
        { typeof(byte[]), new byte[] { 1, 2, 3 } }, { typeof(byte[]), Array.Empty<byte>() }, { typeof(byte[]), null }, { typeof(byte[]), new byte[300] },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void TryWrite_CoveredType_WritesTheBuiltInFormattersBytes(Type type, object? value)
    {
        byte[] expected = MessagePackSerializer.Serialize(type, value, TaskSerializer.Options);

        byte[] actual = Write((ref MessagePackWriter writer) => Assert.True(PrimitiveCodec.TryWrite(ref writer, type, value)));

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void TryRead_BytesOfTheBuiltInFormatters_ReadsTheSameValue(Type type, object? value)
    {
        byte[] bytes = MessagePackSerializer.Serialize(type, value, TaskSerializer.Options);
        var reader = new MessagePackReader(bytes);

        Assert.True(PrimitiveCodec.TryRead(ref reader, type, out object? read));

        Assert.Equal(value, read);
        Assert.True(reader.End);
    }

    [Fact]
    public void GenericPaths_MatchTheBoxedPaths()
    {
        Assert.Equal(Write((ref MessagePackWriter w) => MessagePackSerializer.Serialize(ref w, 300, TaskSerializer.Options)), Write((ref MessagePackWriter w) => Assert.True(PrimitiveCodec.TryWrite(ref w, 300))));
        Assert.Equal(Write((ref MessagePackWriter w) => MessagePackSerializer.Serialize(ref w, -7L, TaskSerializer.Options)), Write((ref MessagePackWriter w) => Assert.True(PrimitiveCodec.TryWrite(ref w, -7L))));
        Assert.Equal(Write((ref MessagePackWriter w) => MessagePackSerializer.Serialize(ref w, 2.5, TaskSerializer.Options)), Write((ref MessagePackWriter w) => Assert.True(PrimitiveCodec.TryWrite(ref w, 2.5))));
        Assert.Equal(Write((ref MessagePackWriter w) => MessagePackSerializer.Serialize(ref w, "s", TaskSerializer.Options)), Write((ref MessagePackWriter w) => Assert.True(PrimitiveCodec.TryWrite(ref w, "s"))));
        Assert.Equal(Write((ref MessagePackWriter w) => MessagePackSerializer.Serialize(ref w, (ushort)9, TaskSerializer.Options)), Write((ref MessagePackWriter w) => Assert.True(PrimitiveCodec.TryWrite(ref w, (ushort)9))));

        Assert.Equal(300, ReadGeneric<int>(MessagePackSerializer.Serialize(300, TaskSerializer.Options)));
        Assert.Equal(long.MinValue, ReadGeneric<long>(MessagePackSerializer.Serialize(long.MinValue, TaskSerializer.Options)));
        Assert.True(ReadGeneric<bool>(MessagePackSerializer.Serialize(true, TaskSerializer.Options)));
        Assert.Equal("abc", ReadGeneric<string>(MessagePackSerializer.Serialize("abc", TaskSerializer.Options)));
        Assert.Equal((sbyte)-3, ReadGeneric<sbyte>(MessagePackSerializer.Serialize((sbyte)-3, TaskSerializer.Options)));
    }

    [Theory]
    [InlineData(typeof(DayOfWeek))]
    [InlineData(typeof(decimal))]
    [InlineData(typeof(DateTime))]
    [InlineData(typeof(int?))]
    [InlineData(typeof(object))]
    [InlineData(typeof(int[]))]
    public void UncoveredTypes_AreLeftToTheResolver(Type type)
    {
        Assert.False(PrimitiveCodec.Covers(type));
        object? sample = type.IsValueType ? Activator.CreateInstance(type) : null;
        Assert.Empty(Write((ref MessagePackWriter writer) => Assert.False(PrimitiveCodec.TryWrite(ref writer, type, sample))));
        var reader = new MessagePackReader(new byte[] { 0xc0 });
        Assert.False(PrimitiveCodec.TryRead(ref reader, type, out _));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void GenericPaths_UncoveredValueType_WriteNothing()
    {
        Assert.Empty(Write((ref MessagePackWriter writer) => Assert.False(PrimitiveCodec.TryWrite(ref writer, DayOfWeek.Friday))));
        Assert.Empty(Write((ref MessagePackWriter writer) => Assert.False(PrimitiveCodec.TryWrite(ref writer, 1.5m))));
        var reader = new MessagePackReader(new byte[] { 0x05 });
        Assert.False(PrimitiveCodec.TryRead(ref reader, out DayOfWeek _));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void TryRead_WrongWireType_ThrowsLikeTheBuiltInFormatter()
    {
        byte[] text = MessagePackSerializer.Serialize("not a number", TaskSerializer.Options);

        Assert.Throws<MessagePackSerializationException>(() =>
        {
            var reader = new MessagePackReader(text);
            PrimitiveCodec.TryRead(ref reader, typeof(int), out _);
        });
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static byte[] Write(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T ReadGeneric<T>(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        Assert.True(PrimitiveCodec.TryRead(ref reader, out T value));
        Assert.True(reader.End);
        return value;
    }
}
