using Microsoft.Extensions.ObjectPool;

namespace Executors.ProcessPool.Protocol;

/// <summary>
/// The pool of <see cref="OutgoingFrame"/>s (Microsoft.Extensions.ObjectPool): every submitted task
/// needs a frame for exactly as long as it waits for the writer thread, the textbook case for pooling.
/// </summary>
internal static class OutgoingFramePool
{
    /// <summary>
    /// Frames whose buffer grew past this are not kept: one 64 MiB argument must not pin 64 MiB for
    /// the life of the process.
    /// </summary>
    public const int MaxRetainedCapacity = 1 << 20;

    /// <summary>How many idle frames are kept: enough for a deep pipeline of small tasks on every worker.</summary>
    public const int MaxRetainedFrames = 1024;

    private static readonly ObjectPool<OutgoingFrame> s_pool =
        new DefaultObjectPool<OutgoingFrame>(new Policy(), MaxRetainedFrames);

    /// <summary>Gets an empty frame.</summary>
    public static OutgoingFrame Rent() => s_pool.Get();

    /// <summary>Returns a frame after it was written (or abandoned).</summary>
    public static void Return(OutgoingFrame frame) => s_pool.Return(frame);

    private sealed class Policy : IPooledObjectPolicy<OutgoingFrame>
    {
        public OutgoingFrame Create() => new();

        public bool Return(OutgoingFrame obj)
        {
            if (obj.Capacity > MaxRetainedCapacity)
            {
                obj.ReleaseBuffer();
                return false;
            }

            obj.Reset();
            return true;
        }
    }
}
