using Executors.ProcessPool.Protocol;

namespace Executors.Tests.ProcessPool.Protocol;

public sealed class FrameWriterTests
{
    [Fact]
    public void Write_SmallFrames_ReachTheStreamOnlyAtFlush()
    {
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);

        for (int i = 0; i < 10; i++)
        {
            writer.Write(SmallFrame(i, payloadLength: 40));
        }

        Assert.Equal(0, stream.WriteCount);
        Assert.Equal(0, stream.Inner.Length);
    }

    [Fact]
    public void Flush_ManySmallFrames_CoalescesIntoFewWrites()
    {
        const int FrameCount = 3000;
        const int PayloadLength = 40;
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);

        for (int i = 0; i < FrameCount; i++)
        {
            writer.Write(SmallFrame(i, PayloadLength));
        }

        writer.Flush();

        long total = FrameCount * (FrameHeader.Size + PayloadLength);
        Assert.Equal(total, stream.Inner.Length);
        int blocks = (int)((total + (64 * 1024) - 1) / (64 * 1024));
        Assert.InRange(stream.WriteCount, 1, blocks + 1);
        Assert.True(stream.FlushCount >= 1, "Flush must flush the underlying stream.");
    }

    [Fact]
    public void Flush_ManySmallFrames_StreamHoldsThemInOrder()
    {
        using var stream = new CountingStream();
        using (var writer = new FrameWriter(stream))
        {
            for (int i = 0; i < 5000; i++)
            {
                writer.Write(SmallFrame(i, payloadLength: i % 50));
            }

            writer.Flush();
        }

        stream.Inner.Position = 0;
        using var reader = new FrameReader(stream.Inner);
        for (int i = 0; i < 5000; i++)
        {
            Assert.True(reader.TryRead(out IncomingFrame frame));
            using (frame)
            {
                Assert.Equal(i, frame.Header.CallId);
                Assert.True(FrameReaderTests.Pattern(i % 50, i).AsSpan().SequenceEqual(frame.Payload.Span));
            }
        }

        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void Write_LargeFrame_IsWrittenDirectlyInOneCall()
    {
        const int PayloadLength = 100_000;
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);
        var frame = new OutgoingFrame();
        FrameReaderTests.Pattern(PayloadLength, 1).CopyTo(frame.GetSpan(PayloadLength));
        frame.Advance(PayloadLength);
        frame.Complete(MessageKind.Task, FrameFlags.None, 1);

        writer.Write(frame);

        Assert.Equal(new[] { FrameHeader.Size + PayloadLength }, stream.WriteSizes);
        frame.ReleaseBuffer();
    }

    [Fact]
    public void Write_LargeFrameAfterSmallOnes_FlushesTheSmallOnesFirst()
    {
        const int LargePayload = 20_000;
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);
        writer.Write(SmallFrame(1, 10));
        writer.Write(SmallFrame(2, 10));
        var large = new OutgoingFrame();
        FrameReaderTests.Pattern(LargePayload, 3).CopyTo(large.GetSpan(LargePayload));
        large.Advance(LargePayload);
        large.Complete(MessageKind.Task, FrameFlags.None, 3);

        writer.Write(large);
        writer.Write(SmallFrame(4, 10));
        writer.Flush();

        Assert.Equal(new[] { 2 * (FrameHeader.Size + 10), FrameHeader.Size + LargePayload, FrameHeader.Size + 10 }, stream.WriteSizes);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, ReadCallIds(stream.Inner));
        large.ReleaseBuffer();
    }

    [Fact]
    public void Write_FrameAtCoalesceLimit_IsBuffered()
    {
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);

        writer.Write(SmallFrame(1, (16 * 1024) - FrameHeader.Size));

        Assert.Equal(0, stream.WriteCount);
    }

    [Fact]
    public void Write_FrameJustOverCoalesceLimit_IsWrittenAtOnce()
    {
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);

        writer.Write(SmallFrame(1, (16 * 1024) - FrameHeader.Size + 1));

        Assert.Equal(1, stream.WriteCount);
    }

    [Fact]
    public void Write_BlockFull_WritesTheBlockBeforeBufferingMore()
    {
        // Four 16 KiB frames fill the 64 KiB block exactly; the fifth must not fit.
        const int PayloadLength = (16 * 1024) - FrameHeader.Size;
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);

        for (int i = 0; i < 5; i++)
        {
            writer.Write(SmallFrame(i, PayloadLength));
        }

        Assert.Equal(new[] { 64 * 1024 }, stream.WriteSizes);
        writer.Flush();
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, ReadCallIds(stream.Inner));
    }

    [Fact]
    public void Flush_NothingBuffered_WritesNothingButFlushesTheStream()
    {
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);

        writer.Flush();

        Assert.Equal(0, stream.WriteCount);
        Assert.Equal(1, stream.FlushCount);
    }

    [Fact]
    public void Write_RawBytes_AreWrittenVerbatim()
    {
        byte[] raw = new byte[FrameHeader.Size + 3];
        new FrameHeader(MessageKind.Initialize, FrameFlags.None, 3, 9).Write(raw);
        raw[^3] = 1;
        raw[^2] = 2;
        raw[^1] = 3;
        using var stream = new CountingStream();
        using var writer = new FrameWriter(stream);

        writer.Write(raw);
        writer.Flush();

        Assert.Equal(raw, stream.Inner.ToArray());
    }

    private static OutgoingFrame SmallFrame(long callId, int payloadLength)
    {
        var frame = new OutgoingFrame();
        FrameReaderTests.Pattern(payloadLength, (int)callId).CopyTo(frame.GetSpan(payloadLength));
        frame.Advance(payloadLength);
        frame.Complete(MessageKind.Task, FrameFlags.None, callId);
        return frame;
    }

    private static List<long> ReadCallIds(MemoryStream stream)
    {
        stream.Position = 0;
        using var reader = new FrameReader(stream);
        var ids = new List<long>();
        while (reader.TryRead(out IncomingFrame frame))
        {
            ids.Add(frame.Header.CallId);
            frame.Dispose();
        }

        return ids;
    }

    /// <summary>A write-only stream over a <see cref="MemoryStream"/> that records each Write call's size and counts Flush calls.</summary>
    private sealed class CountingStream : Stream
    {
        public MemoryStream Inner { get; } = new();

        public List<int> WriteSizes { get; } = [];

        public int WriteCount => WriteSizes.Count;

        public int FlushCount { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            WriteSizes.Add(buffer.Length);
            Inner.Write(buffer);
        }

        public override void Flush() => FlushCount++;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
