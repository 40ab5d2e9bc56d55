using System.Diagnostics;

namespace Samples.Shared;

/// <summary>Wall-clock timing with <see cref="Stopwatch"/>: what every figure the samples print is made of.</summary>
public static class Measure
{
    /// <summary>Runs <paramref name="action"/> once and returns how long it took.</summary>
    public static TimeSpan Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start);
    }

    /// <summary>Runs <paramref name="func"/> once and returns its result and how long it took.</summary>
    public static (T Result, TimeSpan Elapsed) Time<T>(Func<T> func)
    {
        long start = Stopwatch.GetTimestamp();
        T result = func();
        return (result, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Runs <paramref name="func"/> once, awaiting it, and returns its result and how long it took.</summary>
    public static async Task<(T Result, TimeSpan Elapsed)> TimeAsync<T>(Func<Task<T>> func)
    {
        long start = Stopwatch.GetTimestamp();
        T result = await func().ConfigureAwait(false);
        return (result, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>How many times faster <paramref name="candidate"/> was than <paramref name="baseline"/>.</summary>
    public static double Speedup(TimeSpan baseline, TimeSpan candidate) => baseline / candidate;
}
