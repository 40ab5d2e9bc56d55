using System.Runtime.CompilerServices;
using Executors;

namespace Samples.FreeThreaded;

/// <summary>
/// A grayscale image in one shared <c>byte[]</c>, and the per-pixel work done on it: gamma
/// correction (a <see cref="Math.Pow(double, double)"/> per pixel), summed per band of rows.
/// </summary>
public static class Image
{
    /// <summary>Pixels between GIL checkpoints: a few microseconds of the loop.</summary>
    private const int PixelsPerCheckpoint = 256;

    /// <summary>Creates a <paramref name="width"/> x <paramref name="height"/> image of smooth gradients with some noise.</summary>
    public static byte[] Create(int width, int height, int seed)
    {
        var random = new Random(seed);
        byte[] pixels = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = (byte)(((x ^ y) + random.Next(16)) & 0xFF);
            }
        }

        return pixels;
    }

    // AggressiveOptimization here and below: optimized from the first call, with no tiered JIT, so serial
    // and parallel runs (here and in worker processes) time the same machine code.
    /// <summary>Gamma-corrects pixels <c>[start, start + count)</c> of <paramref name="pixels"/> in place of reading them (nothing is written) and returns their sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long GammaSum(byte[] pixels, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long sum = 0;
        int end = start + count;
        for (int i = start; i < end; i++)
        {
            sum += (long)(Math.Pow(pixels[i] / 255.0, 2.2) * 65535.0);
            if ((i & (PixelsPerCheckpoint - 1)) == 0)
            {
                Gil.Checkpoint(); // "pure-Python" pixel loop: the eval breaker
            }
        }

        return sum;
    }

    /// <summary>The same over a whole (copied) band: what a worker process gets.</summary>
    public static long GammaSumOfBand(byte[] band)
    {
        ArgumentNullException.ThrowIfNull(band);
        return GammaSum(band, 0, band.Length);
    }
}
