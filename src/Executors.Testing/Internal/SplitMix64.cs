namespace Executors.Testing.Internal;

/// <summary>
/// The SplitMix64 generator (Steele, Lea and Flood, 2014): a tiny, fast, well-mixed 64-bit generator
/// whose sequence for a seed is fixed by this code alone.
/// </summary>
/// <remarks>
/// Not <see cref="Random"/>: the sequence a seeded <see cref="Random"/> produces is an implementation
/// detail of the runtime, and a seed printed by a failing test must replay the same order on any
/// runtime and machine, years later. Not thread-safe; callers hold their lock.
/// </remarks>
internal sealed class SplitMix64
{
    /// <summary>The generator state: advanced by the golden-ratio increment on every draw.</summary>
    private ulong _state;

    public SplitMix64(int seed) => _state = unchecked((ulong)(long)seed);

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Returns a number in [0, <paramref name="count"/>).</summary>
    /// <param name="count">The number of choices; at least 1.</param>
    public int NextIndex(int count)
    {
        // The high half of a 64x64-bit product (Lemire): no modulo, and a bias below 2^-32 for any count.
        ulong high = Math.BigMul(NextUInt64(), (ulong)count, out _);
        return (int)high;
    }
}
