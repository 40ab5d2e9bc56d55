using System.Globalization;
using Xunit.Abstractions;

namespace Executors.Tests.TestUtilities;

/// <summary>
/// Sizing and seeding of the stress tests under <c>Stress/</c> (runtime's <c>Stress.cs</c> idea): how many
/// iterations to run, and the seed of every random choice, so that a failure can be replayed.
/// </summary>
/// <remarks>
/// <para>
/// <b><c>EXECUTORS_STRESS_ITERATIONS</c></b> sizes every stress loop. Each test passes its own CI-safe
/// default count to <see cref="Iterations"/>; the defaults are sized so that the whole Stress folder
/// takes well under 60 seconds on a loaded 2-core machine. The variable accepts two forms:
/// </para>
/// <list type="bullet">
/// <item><description><c>10x</c> or <c>0.5x</c> (a number followed by <c>x</c>): a scale factor applied to every default count (at least 1 iteration);</description></item>
/// <item><description><c>20000</c> (a plain positive integer): the exact iteration count of every stress loop, whatever its default.</description></item>
/// </list>
/// <para>Unset or empty means the defaults. Anything else fails the test with a message saying why.</para>
/// <para>
/// <b><c>EXECUTORS_STRESS_SEED</c></b> (an <see cref="int"/>) fixes the seed of every stress test;
/// unset, each test draws a random seed. <see cref="CreateSeed"/> writes the seed to the test output, and
/// every assertion message of a stress test carries <see cref="Replay"/>, so a failure can be rerun with
/// the same random choices (thread interleavings themselves cannot be replayed, only made likely again):
/// <c>EXECUTORS_STRESS_SEED=1234 EXECUTORS_STRESS_ITERATIONS=10x dotnet test --filter "Category=Stress"</c>.
/// </para>
/// </remarks>
internal static class StressSettings
{
    /// <summary>The environment variable that scales or fixes the iteration counts.</summary>
    public const string IterationsVariable = "EXECUTORS_STRESS_ITERATIONS";

    /// <summary>The environment variable that fixes the random seed.</summary>
    public const string SeedVariable = "EXECUTORS_STRESS_SEED";

    /// <summary>Returns the iteration count of a stress loop whose CI-safe default is <paramref name="defaultCount"/>.</summary>
    /// <param name="defaultCount">The test's default count, used when the variable is unset.</param>
    /// <returns>The count to run: at least 1.</returns>
    public static int Iterations(int defaultCount)
    {
        string? raw = Environment.GetEnvironmentVariable(IterationsVariable)?.Trim();
        if (string.IsNullOrEmpty(raw))
        {
            return defaultCount;
        }

        if (raw.EndsWith('x') || raw.EndsWith('X'))
        {
            if (double.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
                && scale > 0 && !double.IsInfinity(scale))
            {
                return (int)Math.Clamp(Math.Round(defaultCount * scale), 1, int.MaxValue);
            }
        }
        else if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) && count > 0)
        {
            return count;
        }

        throw new InvalidOperationException(
            $"{IterationsVariable}='{raw}' is neither a scale factor such as '10x' or '0.5x' nor a positive iteration count such as '20000'.");
    }

    /// <summary>Returns the seed for one stress test, from <see cref="SeedVariable"/> or at random, and writes it to the test output.</summary>
    /// <param name="output">The test's output, where the seed is recorded.</param>
    /// <returns>The seed.</returns>
    public static int CreateSeed(ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string? raw = Environment.GetEnvironmentVariable(SeedVariable)?.Trim();
        int seed;
        if (string.IsNullOrEmpty(raw))
        {
            seed = Random.Shared.Next();
        }
        else if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            throw new InvalidOperationException($"{SeedVariable}='{raw}' is not an integer.");
        }

        output.WriteLine($"Stress seed: {seed} (replay with {SeedVariable}={seed}); {IterationsVariable}='{Environment.GetEnvironmentVariable(IterationsVariable)}'.");
        return seed;
    }

    /// <summary>Returns the text every stress assertion message carries, so that a failure names its seed.</summary>
    /// <param name="seed">The test's seed.</param>
    /// <returns>A short replay hint.</returns>
    public static string Replay(int seed) => string.Create(CultureInfo.InvariantCulture, $"[stress seed {seed}; replay with {SeedVariable}={seed}]");
}
