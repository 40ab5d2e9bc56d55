using System.Buffers;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class ResultEnvelopeTests
{
    [Fact]
    public void WriteValue_Void_WritesNil()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);

        ResultEnvelope.WriteValue(ref writer, typeof(void), null);
        writer.Flush();

        var reader = new MessagePackReader(buffer.WrittenMemory);
        Assert.True(reader.TryReadNil());
        Assert.True(reader.End);
    }

    [Fact]
    public void ReadValue_Void_ReturnsDefaultAndConsumesTheValue()
    {
        byte[] bytes = Write(typeof(void), null, trailer: 7);

        var reader = new MessagePackReader(bytes);
        object? value = ResultEnvelope.ReadValue<object>(ref reader, typeof(void));

        Assert.Null(value);
        Assert.Equal(7, reader.ReadInt32());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(42)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void ReadValue_Int_RoundTrips(int value)
    {
        byte[] bytes = Write(typeof(int), value, trailer: 7);

        var reader = new MessagePackReader(bytes);
        int read = ResultEnvelope.ReadValue<int>(ref reader, typeof(int));

        Assert.Equal(value, read);
        Assert.Equal(7, reader.ReadInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("ünïcødé ✓")]
    [InlineData(null)]
    public void ReadValue_String_RoundTrips(string? value)
    {
        byte[] bytes = Write(typeof(string), value, trailer: 7);

        var reader = new MessagePackReader(bytes);
        string? read = ResultEnvelope.ReadValue<string?>(ref reader, typeof(string));

        Assert.Equal(value, read);
        Assert.Equal(7, reader.ReadInt32());
    }

    [Fact]
    public void ReadValue_Record_RoundTrips()
    {
        var value = new Reading("sensor", 21.5, [1, 2, 3]);
        byte[] bytes = Write(typeof(Reading), value, trailer: 7);

        var reader = new MessagePackReader(bytes);
        Reading read = ResultEnvelope.ReadValue<Reading>(ref reader, typeof(Reading));

        Assert.Equal(value.Name, read.Name);
        Assert.Equal(value.Value, read.Value);
        Assert.Equal(value.Samples, read.Samples);
        Assert.Equal(7, reader.ReadInt32());
    }

    [Fact]
    public void ReadValue_DeclaredStringReadAsObject_ReturnsTheString()
    {
        // Func<string> is a Func<object> by covariance: the worker writes a string, the parent asks for object.
        Func<object> fn = new Func<string>(static () => "covariant");
        byte[] bytes = Write(fn.Method.ReturnType, fn(), trailer: 7);

        var reader = new MessagePackReader(bytes);
        object read = ResultEnvelope.ReadValue<object>(ref reader, typeof(string));

        Assert.Equal("covariant", Assert.IsType<string>(read));
        Assert.Equal(7, reader.ReadInt32());
    }

    [Fact]
    public void ReadValue_DeclaredListReadAsInterface_ReturnsTheList()
    {
        byte[] bytes = Write(typeof(List<Reading>), new List<Reading> { new("a", 1, []), new("b", 2, [5]) }, trailer: 7);

        var reader = new MessagePackReader(bytes);
        IEnumerable<Reading> read = ResultEnvelope.ReadValue<IEnumerable<Reading>>(ref reader, typeof(List<Reading>));

        List<Reading> list = Assert.IsType<List<Reading>>(read);
        Assert.Equal(new[] { "a", "b" }, list.Select(r => r.Name));
        Assert.Equal(7, reader.ReadInt32());
    }

    [Fact]
    public void ReadValue_DeclaredRecordReadAsObject_ReturnsTheRecord()
    {
        byte[] bytes = Write(typeof(Reading), new Reading("x", 3, [9]), trailer: 7);

        var reader = new MessagePackReader(bytes);
        object read = ResultEnvelope.ReadValue<object>(ref reader, typeof(Reading));

        Assert.Equal("x", Assert.IsType<Reading>(read).Name);
    }

    private static byte[] Write(Type declaredType, object? value, int trailer)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        ResultEnvelope.WriteValue(ref writer, declaredType, value);
        writer.Write(trailer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public sealed record Reading(string Name, double Value, int[] Samples);
}
