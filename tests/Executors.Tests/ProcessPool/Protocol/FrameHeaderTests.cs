using System.Buffers.Binary;
using Executors.ProcessPool.Protocol;

namespace Executors.Tests.ProcessPool.Protocol;

public sealed class FrameHeaderTests
{
    [Theory]
    [InlineData((byte)MessageKind.Hello, (byte)FrameFlags.None, 0, 0L)]
    [InlineData((byte)MessageKind.Task, (byte)FrameFlags.Chunk, 1, 1L)]
    [InlineData((byte)MessageKind.Result, (byte)FrameFlags.None, 65_537, long.MaxValue)]
    [InlineData((byte)MessageKind.Shutdown, (byte)FrameFlags.None, FrameHeader.MaxPayloadLength, -1L)]
    public void Read_AfterWrite_ReturnsSameHeader(byte kind, byte flags, int length, long callId)
    {
        var header = new FrameHeader((MessageKind)kind, (FrameFlags)flags, length, callId);
        byte[] bytes = new byte[FrameHeader.Size];

        header.Write(bytes);
        FrameHeader read = FrameHeader.Read(bytes);

        Assert.Equal(header, read);
    }

    [Fact]
    public void Write_Always_LaysOutMagicKindFlagsLengthAndCallIdLittleEndian()
    {
        var header = new FrameHeader(MessageKind.Error, FrameFlags.Chunk, 0x01020304, 0x1122334455667788);
        byte[] bytes = new byte[FrameHeader.Size];

        header.Write(bytes);

        Assert.Equal((byte)'E', bytes[0]);
        Assert.Equal((byte)'X', bytes[1]);
        Assert.Equal((byte)MessageKind.Error, bytes[2]);
        Assert.Equal((byte)FrameFlags.Chunk, bytes[3]);
        Assert.Equal(new byte[] { 0x04, 0x03, 0x02, 0x01 }, bytes[4..8]);
        Assert.Equal(new byte[] { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, bytes[8..16]);
    }

    [Theory]
    [InlineData(0x00, 0x58)]
    [InlineData(0x45, 0x00)]
    [InlineData(0x58, 0x45)]
    public void Read_BadMagic_ThrowsInvalidDataException(byte magic0, byte magic1)
    {
        byte[] bytes = ValidHeaderBytes();
        bytes[0] = magic0;
        bytes[1] = magic1;

        var ex = Assert.Throws<InvalidDataException>(() => FrameHeader.Read(bytes));

        Assert.Contains("magic", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(255)]
    public void Read_UnknownKind_ThrowsInvalidDataException(byte kind)
    {
        byte[] bytes = ValidHeaderBytes();
        bytes[2] = kind;

        var ex = Assert.Throws<InvalidDataException>(() => FrameHeader.Read(bytes));

        Assert.Contains("unknown message kind", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(FrameHeader.MaxPayloadLength + 1)]
    [InlineData(int.MaxValue)]
    public void Read_LengthOutOfRange_ThrowsInvalidDataException(int length)
    {
        byte[] bytes = ValidHeaderBytes();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4, 4), length);

        var ex = Assert.Throws<InvalidDataException>(() => FrameHeader.Read(bytes));

        Assert.Contains("payload length", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)MessageKind.Hello)]
    [InlineData((byte)MessageKind.Initialize)]
    [InlineData((byte)MessageKind.Initialized)]
    [InlineData((byte)MessageKind.InitializeFailed)]
    [InlineData((byte)MessageKind.Task)]
    [InlineData((byte)MessageKind.Result)]
    [InlineData((byte)MessageKind.Error)]
    [InlineData((byte)MessageKind.Shutdown)]
    public void Read_DefinedKind_ReturnsThatKind(byte kind)
    {
        byte[] bytes = ValidHeaderBytes();
        bytes[2] = kind;

        FrameHeader header = FrameHeader.Read(bytes);

        Assert.Equal((MessageKind)kind, header.Kind);
    }

    private static byte[] ValidHeaderBytes()
    {
        byte[] bytes = new byte[FrameHeader.Size];
        new FrameHeader(MessageKind.Task, FrameFlags.None, 8, 42).Write(bytes);
        return bytes;
    }
}
