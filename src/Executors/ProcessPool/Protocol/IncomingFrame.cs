using System.Buffers;

namespace Executors.ProcessPool.Protocol;

/// <summary>A frame read from a pipe: its header and its payload in a pooled array, returned by <see cref="Dispose"/>.</summary>
internal readonly struct IncomingFrame : IDisposable
{
    private readonly byte[]? _rented;

    public IncomingFrame(FrameHeader header, byte[]? rented)
    {
        Header = header;
        _rented = rented;
    }

    public FrameHeader Header { get; }

    /// <summary>Gets the payload; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Payload => _rented is null ? ReadOnlyMemory<byte>.Empty : _rented.AsMemory(0, Header.PayloadLength);

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }
}
