using System.Buffers;
using System.Globalization;

namespace Executors.ProcessPool.Protocol;

/// <summary>
/// Reads whole frames from a stream (a pipe). It reads in large blocks, so many small frames cost one
/// system call, and hands each payload over in a pooled array.
/// </summary>
/// <remarks>
/// End of stream <em>between</em> frames is an orderly close (<see cref="TryRead"/> returns
/// <see langword="false"/>). End of stream <em>inside</em> a frame means the peer died mid-write;
/// that and a corrupt header throw <see cref="InvalidDataException"/> saying what was seen. Not
/// thread-safe: one reader thread per stream.
/// </remarks>
internal sealed class FrameReader : IDisposable
{
    /// <summary>The read block: a pipe delivers at most its buffer (64 KiB on Linux) per read anyway.</summary>
    private const int BlockSize = 64 * 1024;

    private readonly Stream _stream;
    private byte[] _block;
    private int _start;
    private int _end;

    public FrameReader(Stream stream)
    {
        _stream = stream;
        _block = ArrayPool<byte>.Shared.Rent(BlockSize);
    }

    /// <summary>Gets a value indicating whether a whole frame header is already buffered (more input is waiting).</summary>
    public bool HasBufferedFrame => _end - _start >= FrameHeader.Size;

    /// <summary>Reads the next frame, blocking until it has fully arrived.</summary>
    /// <param name="frame">The frame; the caller disposes it to return its payload buffer.</param>
    /// <returns><see langword="true"/> if a frame was read; <see langword="false"/> on end of stream at a frame boundary.</returns>
    /// <exception cref="InvalidDataException">The stream ended inside a frame, or a header is corrupt.</exception>
    public bool TryRead(out IncomingFrame frame)
    {
        if (!FillAtLeast(FrameHeader.Size))
        {
            if (_end - _start == 0)
            {
                frame = default;
                return false;
            }

            throw Truncated(_end - _start, FrameHeader.Size, "header");
        }

        FrameHeader header = FrameHeader.Read(_block.AsSpan(_start, FrameHeader.Size));
        _start += FrameHeader.Size;
        int length = header.PayloadLength;
        if (length == 0)
        {
            frame = new IncomingFrame(header, rented: null);
            return true;
        }

        byte[] payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int buffered = Math.Min(_end - _start, length);
            _block.AsSpan(_start, buffered).CopyTo(payload);
            _start += buffered;

            // A large payload is read straight into its own array, not through the block.
            int received = buffered;
            while (received < length)
            {
                int n = _stream.Read(payload, received, length - received);
                if (n == 0)
                {
                    throw Truncated(received, length, "payload");
                }

                received += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(payload);
            throw;
        }

        frame = new IncomingFrame(header, payload);
        return true;
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

    private static InvalidDataException Truncated(int got, int expected, string part) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"Truncated frame: the stream ended after {got} of {expected} bytes of a frame {part}; the peer closed or died mid-frame."));

    /// <summary>Makes at least <paramref name="count"/> bytes available in the block, reading as needed.</summary>
    /// <returns><see langword="false"/> if the stream ended first.</returns>
    private bool FillAtLeast(int count)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        // Compact: move the unread tail to the front so the read has the whole block.
        if (_start > 0)
        {
            _block.AsSpan(_start, _end - _start).CopyTo(_block);
            _end -= _start;
            _start = 0;
        }

        while (_end < count)
        {
            int n = _stream.Read(_block, _end, _block.Length - _end);
            if (n == 0)
            {
                return false;
            }

            _end += n;
        }

        return true;
    }
}
