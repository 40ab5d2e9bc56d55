using System.Globalization;
using System.Text;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class TypeReferenceTests
{
    private readonly AssemblyGate _gate = AssemblyGate.ForCurrentProcess();

    public static TheoryData<Type> Types => new()
    {
        typeof(int),
        typeof(string),
        typeof(Item),
        typeof(Item.Part),
        typeof(Item[]),
        typeof(Item[][]),
        typeof(int[,]),
        typeof(Item[,,]),
        typeof(List<Item>),
        typeof(Dictionary<string, List<Item[]>>),
        typeof(Box<Item>),
        typeof(Box<Item>.Inside<int>),
        typeof(Box<Box<string>[]>),
        typeof(int?),
        typeof(ValueTuple<Item, int>),
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void Read_AfterWrite_ResolvesTheSameType(Type type)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        TypeReference.Write(ref writer, type);
        writer.Flush();

        var reader = new MessagePackReader(buffer.WrittenMemory);
        Type read = TypeReference.Read(ref reader, _gate);

        Assert.Equal(type, read);
        Assert.True(reader.End);
    }

    [Fact]
    public void Read_SingleDimensionArray_IsVectorNotRankOneMultiArray()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        TypeReference.Write(ref writer, typeof(Item[]));
        writer.Flush();

        var reader = new MessagePackReader(buffer.WrittenMemory);
        Type read = TypeReference.Read(ref reader, _gate);

        Assert.True(read.IsSZArray);
    }

    [Fact]
    public void Read_RankOneMultiDimensionalArray_IsNotTurnedIntoAVector()
    {
        // int[*] (a rank-1 array with bounds) is a different type from int[]; reflection can make it
        // (e.g. a generic method instantiated with it), and GetArrayRank() is 1 for both.
        Type type = typeof(Item).MakeArrayType(1);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        TypeReference.Write(ref writer, type);
        writer.Flush();

        var reader = new MessagePackReader(buffer.WrittenMemory);
        Type read = TypeReference.Read(ref reader, _gate);

        Assert.False(read.IsSZArray);
        Assert.Equal(type, read);
    }

    [Theory]
    [InlineData(typeof(List<>))]
    [InlineData(typeof(Box<>))]
    public void Write_OpenGeneric_ThrowsNotSupportedException(Type type)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        Assert.Throws<NotSupportedException>(() =>
        {
            var writer = new MessagePackWriter(buffer);
            TypeReference.Write(ref writer, type);
        });
    }

    [Fact]
    public void Write_ByRefOrPointer_ThrowsNotSupportedException()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        Assert.Throws<NotSupportedException>(() =>
        {
            var writer = new MessagePackWriter(buffer);
            TypeReference.Write(ref writer, typeof(int).MakeByRefType());
        });
        Assert.Throws<NotSupportedException>(() =>
        {
            var writer = new MessagePackWriter(buffer);
            TypeReference.Write(ref writer, typeof(int).MakePointerType());
        });
    }

    [Fact]
    public void Read_TamperedMvid_ThrowsInvalidDataExceptionNotTheParents()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        TypeReference.Write(ref writer, typeof(Item));
        writer.Flush();
        byte[] bytes = buffer.WrittenSpan.ToArray();
        string mvid = typeof(Item).Module.ModuleVersionId.ToString("N", CultureInfo.InvariantCulture);
        int index = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(mvid));
        Assert.True(index >= 0);
        bytes[index] = (byte)(bytes[index] == (byte)'a' ? 'b' : 'a');

        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new MessagePackReader(bytes);
            TypeReference.Read(ref reader, _gate);
        });

        Assert.Contains("not the parent's", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownLeadingTag_ThrowsInvalidDataException()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(1);
        writer.Write("Executors.Tests");
        writer.Write(Guid.Empty.ToString("N", CultureInfo.InvariantCulture));
        writer.Write(0);
        writer.Flush();

        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new MessagePackReader(buffer.WrittenMemory);
            TypeReference.Read(ref reader, _gate);
        });

        Assert.Contains("Malformed type reference", ex.Message, StringComparison.Ordinal);
    }

    public sealed class Item
    {
        public int Id { get; set; }

        public sealed class Part
        {
            public string? Name { get; set; }
        }
    }

    public sealed class Box<T>
    {
        public T? Value { get; set; }

        public sealed class Inside<TOther>
        {
            public TOther? Other { get; set; }
        }
    }
}
