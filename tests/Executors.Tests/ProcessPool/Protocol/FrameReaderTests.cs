using Executors.ProcessPool.Protocol;
using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool.Protocol;

public sealed class FrameReaderTests
{
    /// <summary>Payload sizes around every boundary the reader and writer care about: empty, tiny, the header size, the 64 KiB block, and far past it.</summary>
    private static readonly int[] s_sizes = [0, 1, 15, 16, (64 * 1024) - 1, (64 * 1024) + 1, 3 * 1024 * 1024];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryRead_ManyFramesOfVariedSizes_ReturnsEachWholeAndInOrder(bool oneByteAtATime)
    {
        var expected = new List<(FrameHeader Header, byte[] Payload)>();
        using var stream = new MemoryStream();
        for (int round = 0; round < 3; round++)
        {
            foreach (int size in s_sizes)
            {
                long callId = expected.Count + 1;
                byte[] payload = Pattern(size, seed: (int)callId);
                var header = new FrameHeader(MessageKind.Task, round == 1 ? FrameFlags.Chunk : FrameFlags.None, size, callId);
                expected.Add((header, payload));
                WriteFrame(stream, header, payload);
            }
        }

        stream.Position = 0;
        Stream source = oneByteAtATime ? new OneByteAtATimeStream(stream) : stream;
        using var reader = new FrameReader(source);

        foreach ((FrameHeader header, byte[] payload) in expected)
        {
            Assert.True(reader.TryRead(out IncomingFrame frame));
            using (frame)
            {
                Assert.Equal(header, frame.Header);
                Assert.Equal(payload.Length, frame.Payload.Length);
                Assert.True(payload.AsSpan().SequenceEqual(frame.Payload.Span), $"Payload of call {header.CallId} ({payload.Length} bytes) differs.");
            }
        }

        Assert.False(reader.TryRead(out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryRead_FramesFromFrameWriter_RoundTrip(bool oneByteAtATime)
    {
        using var stream = new MemoryStream();
        using (var writer = new FrameWriter(stream))
        {
            int id = 0;
            foreach (int size in s_sizes.Concat(s_sizes.Reverse()))
            {
                var frame = new OutgoingFrame();
                Pattern(size, seed: ++id).CopyTo(frame.GetSpan(size));
                frame.Advance(size);
                frame.Complete(MessageKind.Result, FrameFlags.None, id);
                writer.Write(frame);
                frame.ReleaseBuffer();
            }

            writer.Flush();
        }

        stream.Position = 0;
        using var reader = new FrameReader(oneByteAtATime ? new OneByteAtATimeStream(stream) : stream);

        int expectedId = 0;
        foreach (int size in s_sizes.Concat(s_sizes.Reverse()))
        {
            Assert.True(reader.TryRead(out IncomingFrame frame));
            using (frame)
            {
                expectedId++;
                Assert.Equal(new FrameHeader(MessageKind.Result, FrameFlags.None, size, expectedId), frame.Header);
                Assert.True(Pattern(size, expectedId).AsSpan().SequenceEqual(frame.Payload.Span));
            }
        }

        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void TryRead_EmptyStream_ReturnsFalse()
    {
        using var reader = new FrameReader(new MemoryStream());

        bool read = reader.TryRead(out IncomingFrame frame);

        Assert.False(read);
        Assert.Equal(default, frame.Header);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryRead_EndOfStreamBetweenFrames_ReturnsFalseEveryTime(bool oneByteAtATime)
    {
        using var stream = new MemoryStream();
        WriteFrame(stream, new FrameHeader(MessageKind.Hello, FrameFlags.None, 4, 0), [1, 2, 3, 4]);
        stream.Position = 0;
        using var reader = new FrameReader(oneByteAtATime ? new OneByteAtATimeStream(stream) : stream);
        Assert.True(reader.TryRead(out IncomingFrame first));
        first.Dispose();

        bool second = reader.TryRead(out _);
        bool third = reader.TryRead(out _);

        Assert.False(second);
        Assert.False(third);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(10, false)]
    [InlineData(FrameHeader.Size - 1, false)]
    [InlineData(10, true)]
    public void TryRead_EndOfStreamInsideHeader_ThrowsTruncated(int headerBytes, bool oneByteAtATime)
    {
        byte[] header = new byte[FrameHeader.Size];
        new FrameHeader(MessageKind.Task, FrameFlags.None, 0, 7).Write(header);
        var stream = new MemoryStream(header[..headerBytes]);
        using var reader = new FrameReader(oneByteAtATime ? new OneByteAtATimeStream(stream) : stream);

        var ex = Assert.Throws<InvalidDataException>(() => reader.TryRead(out _));

        Assert.Contains("Truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("header", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, 0, false)]
    [InlineData(100, 99, false)]
    [InlineData(100, 50, true)]
    [InlineData(200_000, 70_000, false)]
    [InlineData(200_000, 70_000, true)]
    public void TryRead_EndOfStreamInsidePayload_ThrowsTruncated(int declared, int present, bool oneByteAtATime)
    {
        using var stream = new MemoryStream();
        WriteFrame(stream, new FrameHeader(MessageKind.Result, FrameFlags.None, declared, 3), Pattern(present, 3));
        stream.Position = 0;
        using var reader = new FrameReader(oneByteAtATime ? new OneByteAtATimeStream(stream) : stream);

        var ex = Assert.Throws<InvalidDataException>(() => reader.TryRead(out _));

        Assert.Contains("Truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("payload", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_EndOfStreamInsideSecondFrame_ReturnsFirstThenThrowsTruncated()
    {
        using var stream = new MemoryStream();
        WriteFrame(stream, new FrameHeader(MessageKind.Result, FrameFlags.None, 3, 1), [1, 2, 3]);
        WriteFrame(stream, new FrameHeader(MessageKind.Result, FrameFlags.None, 3, 2), [1, 2, 3]);
        stream.SetLength(stream.Length - 1);
        stream.Position = 0;
        using var reader = new FrameReader(stream);

        bool first = reader.TryRead(out IncomingFrame frame);
        frame.Dispose();
        var ex = Assert.Throws<InvalidDataException>(() => reader.TryRead(out _));

        Assert.True(first);
        Assert.Contains("Truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_BadMagic_ThrowsInvalidDataException()
    {
        byte[] bytes = new byte[FrameHeader.Size];
        new FrameHeader(MessageKind.Task, FrameFlags.None, 0, 1).Write(bytes);
        bytes[0] = (byte)'X';
        using var reader = new FrameReader(new MemoryStream(bytes));

        var ex = Assert.Throws<InvalidDataException>(() => reader.TryRead(out _));

        Assert.Contains("magic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_UnknownKind_ThrowsInvalidDataException()
    {
        byte[] bytes = new byte[FrameHeader.Size];
        new FrameHeader(MessageKind.Task, FrameFlags.None, 0, 1).Write(bytes);
        bytes[2] = 200;
        using var reader = new FrameReader(new MemoryStream(bytes));

        var ex = Assert.Throws<InvalidDataException>(() => reader.TryRead(out _));

        Assert.Contains("unknown message kind 200", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(FrameHeader.MaxPayloadLength + 1)]
    public void TryRead_LengthOutOfRange_ThrowsInvalidDataException(int length)
    {
        byte[] bytes = new byte[FrameHeader.Size];
        new FrameHeader(MessageKind.Task, FrameFlags.None, 0, 1).Write(bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4, 4), length);
        using var reader = new FrameReader(new MemoryStream(bytes));

        var ex = Assert.Throws<InvalidDataException>(() => reader.TryRead(out _));

        Assert.Contains("payload length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HasBufferedFrame_BeforeFirstRead_IsFalse()
    {
        using var stream = new MemoryStream();
        WriteFrame(stream, new FrameHeader(MessageKind.Task, FrameFlags.None, 1, 1), [9]);
        stream.Position = 0;

        using var reader = new FrameReader(stream);

        Assert.False(reader.HasBufferedFrame);
    }

    [Fact]
    public void HasBufferedFrame_SmallFramesReadInOneBlock_IsTrueUntilTheLastIsRead()
    {
        using var stream = new MemoryStream();
        for (int i = 1; i <= 3; i++)
        {
            WriteFrame(stream, new FrameHeader(MessageKind.Task, FrameFlags.None, 8, i), Pattern(8, i));
        }

        stream.Position = 0;
        using var reader = new FrameReader(stream);
        var observed = new List<bool>();

        while (reader.TryRead(out IncomingFrame frame))
        {
            frame.Dispose();
            observed.Add(reader.HasBufferedFrame);
        }

        Assert.Equal(new[] { true, true, false }, observed);
    }

    [Fact]
    public void HasBufferedFrame_OnlyPartOfNextHeaderBuffered_IsFalse()
    {
        using var stream = new MemoryStream();
        WriteFrame(stream, new FrameHeader(MessageKind.Task, FrameFlags.None, 2, 1), [1, 2]);
        byte[] partial = new byte[FrameHeader.Size];
        new FrameHeader(MessageKind.Task, FrameFlags.None, 0, 2).Write(partial);
        stream.Write(partial, 0, FrameHeader.Size - 1);
        stream.Position = 0;
        using var reader = new FrameReader(stream);

        Assert.True(reader.TryRead(out IncomingFrame frame));
        frame.Dispose();

        Assert.False(reader.HasBufferedFrame);
    }

    [Fact]
    public void HasBufferedFrame_OneByteAtATime_IsFalseAfterEachFrame()
    {
        using var stream = new MemoryStream();
        WriteFrame(stream, new FrameHeader(MessageKind.Task, FrameFlags.None, 4, 1), [1, 2, 3, 4]);
        WriteFrame(stream, new FrameHeader(MessageKind.Task, FrameFlags.None, 4, 2), [1, 2, 3, 4]);
        stream.Position = 0;
        using var reader = new FrameReader(new OneByteAtATimeStream(stream));

        Assert.True(reader.TryRead(out IncomingFrame frame));
        frame.Dispose();

        Assert.False(reader.HasBufferedFrame);
    }

    [Fact]
    public void TryRead_ZeroLengthPayload_GivesEmptyPayload()
    {
        using var stream = new MemoryStream();
        WriteFrame(stream, new FrameHeader(MessageKind.Shutdown, FrameFlags.None, 0, 0), []);
        stream.Position = 0;
        using var reader = new FrameReader(stream);

        Assert.True(reader.TryRead(out IncomingFrame frame));

        Assert.True(frame.Payload.IsEmpty);
        Assert.Equal(MessageKind.Shutdown, frame.Header.Kind);
        frame.Dispose();
    }

    internal static byte[] Pattern(int size, int seed)
    {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 31) + (seed * 7) + (i >> 8));
        }

        return bytes;
    }

    internal static void WriteFrame(Stream stream, FrameHeader header, byte[] payload)
    {
        byte[] headerBytes = new byte[FrameHeader.Size];
        header.Write(headerBytes);
        stream.Write(headerBytes);
        stream.Write(payload);
    }
}
