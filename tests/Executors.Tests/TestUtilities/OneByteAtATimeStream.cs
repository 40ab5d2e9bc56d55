namespace Executors.Tests.TestUtilities;

/// <summary>
/// Wraps a stream so that every read returns at most one byte (MessagePack's test helper of the same
/// name): the worst case a pipe may deliver, which a frame reader must still turn into whole frames.
/// </summary>
internal sealed class OneByteAtATimeStream : Stream
{
    private readonly Stream _inner;

    public OneByteAtATimeStream(Stream inner) => _inner = inner;

    /// <summary>Gets the number of read calls that returned data or end of stream.</summary>
    public int ReadCount { get; private set; }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ReadCount++;
        return buffer.IsEmpty ? 0 : _inner.Read(buffer[..1]);
    }

    public override int ReadByte()
    {
        ReadCount++;
        return _inner.ReadByte();
    }

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
