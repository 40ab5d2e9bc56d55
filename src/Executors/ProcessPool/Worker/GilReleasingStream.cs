namespace Executors.ProcessPool.Worker;

/// <summary>
/// Wraps a worker's pipe so that a thread holding the worker's emulated lock releases it while it
/// blocks on the pipe: a CPython worker waiting on its call queue is in a system call, without the GIL,
/// so threads a task started keep running between tasks.
/// </summary>
internal sealed class GilReleasingStream : Stream
{
    private readonly Stream _inner;

    public GilReleasingStream(Stream inner) => _inner = inner;

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
        using GilReleaseScope gil = Gil.Release();
        return _inner.Read(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        using GilReleaseScope gil = Gil.Release();
        _inner.Write(buffer);
    }

    public override void Flush()
    {
        using GilReleaseScope gil = Gil.Release();
        _inner.Flush();
    }

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
