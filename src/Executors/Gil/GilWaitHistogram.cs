using System.Numerics;

namespace Executors;

/// <summary>
/// A log-bucketed histogram of wait times (in timestamp ticks), for the percentiles of
/// <see cref="GilStatistics"/>: eight buckets per power of two, so a percentile is within 12.5%, in
/// fixed memory and without allocating per sample. Not thread-safe: guarded by the lock's mutex.
/// </summary>
internal sealed class GilWaitHistogram
{
    private const int SubBucketBits = 3;
    private const int SubBuckets = 1 << SubBucketBits;

    private readonly long[] _counts = new long[64 * SubBuckets];
    private long _total;

    public void Record(long ticks)
    {
        _counts[BucketOf(Math.Max(ticks, 0))]++;
        _total++;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        _total = 0;
    }

    /// <summary>Returns the upper bound of the bucket holding the given percentile (0..1), or 0 with no sample.</summary>
    public long Percentile(double fraction)
    {
        if (_total == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(fraction * _total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return UpperBoundOf(i);
            }
        }

        return UpperBoundOf(_counts.Length - 1);
    }

    private static int BucketOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        int exponent = BitOperations.Log2((ulong)value);          // value in [2^e, 2^(e+1))
        int sub = (int)(value >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return ((exponent - SubBucketBits + 1) * SubBuckets) + sub;
    }

    private static long UpperBoundOf(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return bucket;
        }

        int exponent = (bucket / SubBuckets) + SubBucketBits - 1;
        long sub = bucket % SubBuckets;
        long width = 1L << (exponent - SubBucketBits);
        return (1L << exponent) + ((sub + 1) * width) - 1;
    }
}
