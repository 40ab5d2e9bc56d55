using Executors.ProcessPool.Protocol;

namespace Executors.Tests.ProcessPool.Protocol;

public sealed class OutgoingFrameTests
{
    [Fact]
    public void Ctor_Always_StartsWithEmptyPayloadAndRoomForHeader()
    {
        var frame = new OutgoingFrame();

        Assert.Equal(0, frame.Payload.Length);
        Assert.Equal(FrameHeader.Size, frame.Span.Length);
        Assert.True(frame.Capacity >= 512);
        frame.ReleaseBuffer();
    }

    [Fact]
    public void Complete_AfterPayloadWritten_WritesHeaderInFrontOfPayload()
    {
        var frame = new OutgoingFrame();
        byte[] payload = FrameReaderTests.Pattern(100, 5);
        payload.CopyTo(frame.GetSpan(100));
        frame.Advance(100);

        frame.Complete(MessageKind.Result, FrameFlags.Chunk, 77);

        Assert.Equal(new FrameHeader(MessageKind.Result, FrameFlags.Chunk, 100, 77), frame.Header);
        Assert.Equal(frame.Header, FrameHeader.Read(frame.Span));
        Assert.Equal(FrameHeader.Size + 100, frame.Span.Length);
        Assert.True(payload.AsSpan().SequenceEqual(frame.Payload));
        Assert.True(frame.Memory.Span.SequenceEqual(frame.Span));
        frame.ReleaseBuffer();
    }

    [Fact]
    public void Complete_EmptyPayload_GivesHeaderOnlyFrame()
    {
        var frame = new OutgoingFrame();

        frame.Complete(MessageKind.Shutdown, FrameFlags.None, 0);

        Assert.Equal(FrameHeader.Size, frame.Span.Length);
        Assert.Equal(0, frame.Header.PayloadLength);
        frame.ReleaseBuffer();
    }

    [Fact]
    public void GetSpan_ManySmallWrites_GrowsAndKeepsEverything()
    {
        var frame = new OutgoingFrame();
        byte[] expected = FrameReaderTests.Pattern(10_000, 9);

        for (int i = 0; i < expected.Length; i += 7)
        {
            int n = Math.Min(7, expected.Length - i);
            expected.AsSpan(i, n).CopyTo(frame.GetSpan(n));
            frame.Advance(n);
        }

        Assert.True(expected.AsSpan().SequenceEqual(frame.Payload));
        Assert.True(frame.Capacity >= FrameHeader.Size + expected.Length);
        frame.ReleaseBuffer();
    }

    [Fact]
    public void GetSpan_LargeHint_GrowsAtOnceToTheHint()
    {
        const int Large = 3 * 1024 * 1024;
        var frame = new OutgoingFrame();
        frame.GetSpan(3)[..3].Fill(0xAB);
        frame.Advance(3);

        Span<byte> span = frame.GetSpan(Large);

        Assert.True(span.Length >= Large);
        Assert.True(frame.Capacity >= FrameHeader.Size + 3 + Large);
        Assert.True(frame.Payload.SequenceEqual(new byte[] { 0xAB, 0xAB, 0xAB }));
        frame.ReleaseBuffer();
    }

    [Fact]
    public void GetMemory_Always_ReturnsTheSameRegionAsGetSpan()
    {
        var frame = new OutgoingFrame();

        Memory<byte> memory = frame.GetMemory(1000);
        memory.Span[0] = 42;
        frame.Advance(1);

        Assert.True(memory.Length >= 1000);
        Assert.Equal(42, frame.Payload[0]);
        frame.ReleaseBuffer();
    }

    [Fact]
    public void Reset_AfterUse_EmptiesPayloadAndKeepsBuffer()
    {
        var frame = new OutgoingFrame();
        frame.GetSpan(2000);
        frame.Advance(2000);
        frame.Complete(MessageKind.Task, FrameFlags.None, 1);
        int capacity = frame.Capacity;

        frame.Reset();

        Assert.Equal(0, frame.Payload.Length);
        Assert.Equal(default, frame.Header);
        Assert.Equal(capacity, frame.Capacity);
        frame.ReleaseBuffer();
    }

    [Fact]
    public void ReleaseBuffer_Always_DropsTheBuffer()
    {
        var frame = new OutgoingFrame();

        frame.ReleaseBuffer();

        Assert.Equal(0, frame.Capacity);
    }

    [Fact]
    public void OutgoingFramePoolRent_Always_ReturnsAnEmptyFrame()
    {
        OutgoingFrame frame = OutgoingFramePool.Rent();

        try
        {
            Assert.Equal(0, frame.Payload.Length);
            Assert.Equal(default, frame.Header);
            Assert.True(frame.Capacity > 0);
        }
        finally
        {
            OutgoingFramePool.Return(frame);
        }
    }

    [Fact]
    public void OutgoingFramePoolReturn_BufferGrewPastMaxRetainedCapacity_ReleasesTheBuffer()
    {
        OutgoingFrame frame = OutgoingFramePool.Rent();
        int size = OutgoingFramePool.MaxRetainedCapacity + 1;
        frame.GetSpan(size);
        frame.Advance(size);
        frame.Complete(MessageKind.Task, FrameFlags.None, 1);

        OutgoingFramePool.Return(frame);

        // The pool did not keep it (no other renter can hold it), and its large array went back.
        Assert.Equal(0, frame.Capacity);
    }

    [Fact]
    public void OutgoingFramePoolReturn_SmallFrame_KeepsTheBuffer()
    {
        OutgoingFrame frame = OutgoingFramePool.Rent();
        frame.GetSpan(100);
        frame.Advance(100);
        frame.Complete(MessageKind.Task, FrameFlags.None, 1);

        OutgoingFramePool.Return(frame);

        Assert.True(frame.Capacity > 0);
    }
}
