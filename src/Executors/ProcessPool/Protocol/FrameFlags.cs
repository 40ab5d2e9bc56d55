namespace Executors.ProcessPool.Protocol;

/// <summary>Flags in a frame header. Part of the wire protocol.</summary>
[Flags]
internal enum FrameFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>The payload holds a chunk of Map items (or their results), not a single call.</summary>
    Chunk = 1,
}
