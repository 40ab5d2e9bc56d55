using System.Buffers;
using System.Diagnostics;

namespace Executors.ProcessPool.Protocol;

/// <summary>
/// A frame being built or waiting to be written: a growable buffer that starts with room for the
/// header, and implements <see cref="IBufferWriter{T}"/> so that a serializer writes the payload in
/// place. Instances are pooled (<see cref="OutgoingFramePool"/>) together with their buffers, so a
/// steady stream of tasks allocates neither frames nor arrays.
/// </summary>
/// <remarks>Not thread-safe: one thread builds a frame, then hands it to the writer thread.</remarks>
internal sealed class OutgoingFrame : IBufferWriter<byte>
{
    /// <summary>The first buffer: fits a typical small task (method reference + a few arguments) without growing.</summary>
    private const int InitialCapacity = 512;

    private byte[] _buffer;
    private int _written;

    /// <summary>Bytes sent after the buffer without being copied into it (a large <c>byte[]</c> argument); empty if none.</summary>
    private ReadOnlyMemory<byte> _tail;

    public OutgoingFrame()
    {
        _buffer = ArrayPool<byte>.Shared.Rent(InitialCapacity);
        _written = FrameHeader.Size;
    }

    /// <summary>
    /// Gets or sets a value indicating whether the writer returns this frame to the pool once written
    /// (a control frame), or leaves it to its owner (a task frame, kept by its call until answered).
    /// </summary>
    public bool ReturnAfterWrite { get; set; }

    /// <summary>Gets the header, valid after <see cref="Complete"/>.</summary>
    public FrameHeader Header { get; private set; }

    /// <summary>Gets the capacity of the buffer, which the pool uses to decide whether to keep it.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Gets the frame's buffered part, header first, once <see cref="Complete"/> has run; <see cref="Tail"/> follows it on the wire.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _written);

    /// <summary>Gets the bytes that follow <see cref="Span"/> on the wire without having been copied into the frame.</summary>
    public ReadOnlyMemory<byte> Tail => _tail;

    /// <summary>Gets the total size on the wire: header, buffered payload and tail.</summary>
    public int Length => _written + _tail.Length;

    /// <summary>Gets the complete frame as memory.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _written);

    /// <summary>Gets the payload written so far (without a tail).</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(FrameHeader.Size, _written - FrameHeader.Size);

    /// <summary>
    /// Ends the frame with <paramref name="tail"/>, sent as is after the buffered bytes. Nothing may be
    /// written after it. The caller's array must not change until the frame is written: the process
    /// pool only uses this for a task's last argument, which the caller handed over.
    /// </summary>
    public void AttachTail(ReadOnlyMemory<byte> tail) => _tail = tail;

    /// <summary>Writes the header for the payload written so far; the frame is then ready to send.</summary>
    public void Complete(MessageKind kind, FrameFlags flags, long callId)
    {
        long payloadLength = (long)_written - FrameHeader.Size + _tail.Length;
        if (payloadLength > FrameHeader.MaxPayloadLength)
        {
            throw new InvalidOperationException($"A payload of {payloadLength} bytes exceeds the protocol's limit of {FrameHeader.MaxPayloadLength} bytes.");
        }

        Header = new FrameHeader(kind, flags, (int)payloadLength, callId);
        Header.Write(_buffer);
    }

    /// <summary>
    /// Copies this completed frame into <paramref name="destination"/> (an empty frame): header,
    /// buffered payload and tail (the tail's array is shared, not copied).
    /// </summary>
    public void CopyTo(OutgoingFrame destination)
    {
        ReadOnlySpan<byte> payload = Payload;
        payload.CopyTo(destination.GetSpan(payload.Length));
        destination.Advance(payload.Length);
        destination.AttachTail(_tail);
        destination.Complete(Header.Kind, Header.Flags, Header.CallId);
    }

    /// <summary>Empties the frame for reuse, keeping its buffer.</summary>
    public void Reset()
    {
        _written = FrameHeader.Size;
        _tail = default;
        Header = default;
        ReturnAfterWrite = false;
    }

    /// <summary>Returns the buffer to the array pool; the frame must not be used afterwards.</summary>
    public void ReleaseBuffer()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        _tail = default;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && _written + count <= _buffer.Length, "Advance past the buffer.");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void EnsureCapacity(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        // Grow to at least double, and at once to the hint: a 64 MiB byte[] argument asks for all of
        // it in one GetSpan call, and must not be copied through a ladder of doublings.
        long target = Math.Max((long)_buffer.Length * 2, (long)_written + needed);
        int newSize = (int)Math.Min(target, Array.MaxLength);
        byte[] larger = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
