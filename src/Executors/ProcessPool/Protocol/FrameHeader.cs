using System.Buffers.Binary;
using System.Globalization;

namespace Executors.ProcessPool.Protocol;

/// <summary>
/// The fixed 16-byte, little-endian header in front of every frame: magic, kind, flags, payload
/// length and call id (see <c>docs/design/0004-process-pool-architecture.md</c>, "Frames").
/// </summary>
internal readonly record struct FrameHeader(MessageKind Kind, FrameFlags Flags, int PayloadLength, long CallId)
{
    /// <summary>The size of a header in bytes.</summary>
    public const int Size = 16;

    /// <summary>The largest payload a frame may carry (1 GiB). Anything larger is treated as corruption.</summary>
    public const int MaxPayloadLength = 1 << 30;

    /// <summary>First magic byte, 'E'. A wrong magic means the stream lost its framing.</summary>
    public const byte Magic0 = 0x45;

    /// <summary>Second magic byte, 'X'.</summary>
    public const byte Magic1 = 0x58;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = Magic0;
        destination[1] = Magic1;
        destination[2] = (byte)Kind;
        destination[3] = (byte)Flags;
        BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(4, 4), PayloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(8, 8), CallId);
    }

    /// <summary>Reads and validates a header.</summary>
    /// <param name="source">At least <see cref="Size"/> bytes.</param>
    /// <returns>The header.</returns>
    /// <exception cref="InvalidDataException">The magic, the kind or the length is not valid: the stream is corrupt.</exception>
    public static FrameHeader Read(ReadOnlySpan<byte> source)
    {
        if (source[0] != Magic0 || source[1] != Magic1)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"Corrupt frame: expected the magic bytes 0x45 0x58 but read 0x{source[0]:X2} 0x{source[1]:X2}; the stream has lost its framing."));
        }

        var kind = (MessageKind)source[2];
        if (!Enum.IsDefined(kind))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Corrupt frame: unknown message kind {source[2]}."));
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(source.Slice(4, 4));
        if (length < 0 || length > MaxPayloadLength)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"Corrupt frame: payload length {length} is outside 0..{MaxPayloadLength}."));
        }

        long callId = BinaryPrimitives.ReadInt64LittleEndian(source.Slice(8, 8));
        return new FrameHeader(kind, (FrameFlags)source[3], length, callId);
    }
}
