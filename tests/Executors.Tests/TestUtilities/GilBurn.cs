using System.Diagnostics;

namespace Executors.Tests.TestUtilities;

/// <summary>Simulated "interpreted" CPU work for GIL tests: spins, reaching a checkpoint every few microseconds.</summary>
internal static class GilBurn
{
    /// <summary>Spins for <paramref name="duration"/> of wall time with a <see cref="Gil.Checkpoint()"/> per iteration.</summary>
    public static void For(TimeSpan duration)
    {
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            Gil.Checkpoint();
        }
    }

    /// <summary>Spins until <paramref name="condition"/> holds or <paramref name="timeout"/> passes, checkpointing.</summary>
    /// <returns>Whether the condition held.</returns>
    public static bool Until(Func<bool> condition, TimeSpan timeout)
    {
        long start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                return false;
            }

            Gil.Checkpoint();
        }

        return true;
    }
}
