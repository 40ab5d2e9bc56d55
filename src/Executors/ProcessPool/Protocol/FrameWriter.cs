using System.Buffers;

namespace Executors.ProcessPool.Protocol;

/// <summary>
/// Writes frames to a stream (a pipe). Small frames queued together are copied into one block and
/// written with one system call; a large frame is written straight from its own buffer.
/// </summary>
/// <remarks>Not thread-safe: one writer thread per stream.</remarks>
internal sealed class FrameWriter : IDisposable
{
    /// <summary>Frames up to this size are coalesced; larger ones are written directly (copying them would cost more than the call saved).</summary>
    private const int CoalesceLimit = 16 * 1024;

    private const int BlockSize = 64 * 1024;

    private readonly Stream _stream;
    private byte[] _block;
    private int _used;

    public FrameWriter(Stream stream)
    {
        _stream = stream;
        _block = ArrayPool<byte>.Shared.Rent(BlockSize);
    }

    /// <summary>Adds a frame; small frames may stay buffered until <see cref="Flush"/>.</summary>
    public void Write(OutgoingFrame frame)
    {
        Write(frame.Span);
        if (!frame.Tail.IsEmpty)
        {
            // A large argument goes straight from the caller's array to the pipe.
            Flush();
            _stream.Write(frame.Tail.Span);
        }
    }

    /// <summary>Adds raw frame bytes (header included); small ones may stay buffered until <see cref="Flush"/>.</summary>
    public void Write(ReadOnlySpan<byte> frameBytes)
    {
        if (frameBytes.Length > CoalesceLimit)
        {
            Flush();
            _stream.Write(frameBytes);
            return;
        }

        if (_block.Length - _used < frameBytes.Length)
        {
            Flush();
        }

        frameBytes.CopyTo(_block.AsSpan(_used));
        _used += frameBytes.Length;
    }

    /// <summary>Writes whatever is buffered.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            int used = _used;
            _used = 0;
            _stream.Write(_block, 0, used);
        }

        _stream.Flush();
    }

    public void Dispose()
    {
        byte[] block = _block;
        _block = [];
        if (block.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }
}
