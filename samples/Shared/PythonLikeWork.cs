using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Executors;

namespace Samples.Shared;

/// <summary>
/// Work shaped like the seed's Python examples, written for the GIL emulation: "pure-Python" loops
/// that reach a <see cref="Gil.Checkpoint()"/> every few microseconds (where CPython's eval breaker
/// checks), and "C-extension" calls that either release the lock (hashlib, zlib) or keep it. On a
/// thread with no emulated lock (the default), the GIL calls are no-ops and this is plain .NET code.
/// </summary>
public static class PythonLikeWork
{
    /// <summary>
    /// Iterations between checkpoints: about 3 µs of the loop on this machine (0.37 ns an iteration),
    /// well inside the model's "a checkpoint at least every 10 µs"; the check costs a few nanoseconds.
    /// </summary>
    public const long IterationsPerCheckpoint = 8_192;

    // AggressiveOptimization here and below: optimized from the first call, with no tiered JIT, so serial
    // and parallel runs (here and in worker processes) time the same machine code.
    /// <summary>
    /// Pure CPU work, like a pure-Python loop: <c>s = 0; for i in range(n): s += i * i</c> (the loop of
    /// <c>cf_bench.py</c>'s <c>burn</c>; 64-bit and wrapping here), with a checkpoint every
    /// <see cref="IterationsPerCheckpoint"/> iterations.
    /// </summary>
    /// <param name="iterations">How many times to go round the loop.</param>
    /// <returns>The sum, so that the loop cannot be optimized away.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Burn(long iterations)
    {
        long s = 0;
        long i = 0;
        while (i < iterations)
        {
            long end = Math.Min(iterations, i + IterationsPerCheckpoint);
            for (; i < end; i++)
            {
                s += i * i;
            }

            Gil.Checkpoint();
        }

        return s;
    }

    /// <summary>
    /// A C-extension call that releases the GIL, like <c>zlib.compress</c> and <c>hashlib.sha256</c> on
    /// a large buffer: compresses <paramref name="block"/> (zlib, fastest level) and hashes it (SHA-256)
    /// inside <see cref="Gil.Release()"/>, so other threads run Python meanwhile.
    /// </summary>
    /// <param name="block">The data.</param>
    /// <returns>The compressed length, and the first 8 bytes of the digest.</returns>
    public static (int CompressedLength, long DigestPrefix) CompressAndHash(byte[] block)
    {
        using GilReleaseScope released = Gil.Release();
        return CompressAndHashCore(block);
    }

    /// <summary>
    /// The same native work, but keeping the GIL all along, like a C extension that does not release it:
    /// other threads of the same emulated interpreter wait until it returns.
    /// </summary>
    /// <param name="block">The data.</param>
    /// <returns>The compressed length, and the first 8 bytes of the digest.</returns>
    public static (int CompressedLength, long DigestPrefix) CompressAndHashHoldingGil(byte[] block) => CompressAndHashCore(block);

    private static (int CompressedLength, long DigestPrefix) CompressAndHashCore(byte[] block)
    {
        ArgumentNullException.ThrowIfNull(block);
        byte[] digest = SHA256.HashData(block);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(block);
        }

        return ((int)compressed.Length, BitConverter.ToInt64(digest));
    }
}
