using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool;

/// <summary>
/// A chunked <c>Map</c> gives, item for item, what the same <c>Map</c> gives one item per message: the
/// worker runs chunks through a typed runner (or, for the methods it cannot type, reflectively), and
/// neither may change a value, an error or the order.
/// </summary>
public sealed class ProcessPoolChunkedMapTests : IClassFixture<ProcessPoolExecutorFixture>
{
    private readonly ProcessPoolExecutor _executor;

    public ProcessPoolChunkedMapTests(ProcessPoolExecutorFixture fixture)
    {
        _executor = fixture.Executor;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void Map_StaticMethodOnStrings_MatchesUnchunked(int chunkSize)
    {
        string?[] items = [.. Enumerable.Range(0, 40).Select(i => i % 9 == 0 ? null : new string('x', i))];

        AssertSameOutcomes(Describe, items, chunkSize);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(50)]
    public void Map_CapturingLambda_UsesEachMapsOwnCapturedValues(int chunkSize)
    {
        long offset = 1L << 40;
        int[] items = [.. Enumerable.Range(-20, 45)];

        AssertSameOutcomes((int x) => x * 3L + offset, items, chunkSize);
        offset = -5;
        Assert.Equal(items.Select(x => x * 3L - 5), _executor.Map((int x) => x * 3L + offset, items, timeout: TestTimeouts.Unexpected, chunkSize: chunkSize));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(33)]
    public void Map_RecordsInAndOut_MatchesUnchunked(int chunkSize)
    {
        Pair[] items = [.. Enumerable.Range(0, 30).Select(i => new Pair(i, $"n{i}"))];

        AssertSameOutcomes(static (Pair p) => new Pair(p.Number * 2, p.Name + "!"), items, chunkSize);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    public void Map_PrimitiveConversions_MatchUnchunked(int chunkSize)
    {
        double[] items = [0.5, -1, double.NaN, double.MaxValue, 3, 7.25, -0.0, 1e-300, 42, double.NegativeInfinity, 2, 9];

        AssertSameOutcomes(static (double x) => x > 2, items, chunkSize);
        AssertSameOutcomes(static (double x) => (float)x, items, chunkSize);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(25)]
    public void Map_SomeItemsThrow_EachFailsOnItsOwnWithTheSameException(int chunkSize)
    {
        int[] items = [.. Enumerable.Range(0, 30)];

        AssertSameOutcomes(static (int x) => x % 4 == 1 ? throw new ArgumentOutOfRangeException(nameof(x), x, "odd one") : x * 10, items, chunkSize);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(25)]
    public void Map_ResultThatWouldNotArriveAsItself_FailsThatItemOnly(int chunkSize)
    {
        int[] items = [.. Enumerable.Range(0, 20)];

        // Declared object: null travels, a Pair would not come back as a Pair and is refused. The wording
        // of that refusal differs between a single call and a chunk item (it names the method or not).
        AssertSameOutcomes(static (int x) => x % 5 == 0 ? new Pair(x, "p") : (object?)null, items, chunkSize, compareMessages: false);
        Assert.Contains(Outcomes(static (int x) => x % 5 == 0 ? new Pair(x, "p") : (object?)null, items, chunkSize), o => o.Error == typeof(NotSupportedException));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void Map_InstanceMethodOfAStruct_MatchesUnchunked(int chunkSize)
    {
        var adder = new Adder(1000);
        int[] items = [.. Enumerable.Range(0, 30)];

        AssertSameOutcomes(adder.Add, items, chunkSize);
    }

    /// <summary>Runs the Map with <paramref name="chunkSize"/> and with chunkSize 1 and compares every item's value or exception.</summary>
    private void AssertSameOutcomes<T, TResult>(Func<T, TResult> fn, T[] items, int chunkSize, bool compareMessages = true)
    {
        List<(TResult? Value, Type? Error, string? Message)> expected = Outcomes(fn, items, 1);
        List<(TResult? Value, Type? Error, string? Message)> actual = Outcomes(fn, items, chunkSize);
        if (!compareMessages)
        {
            expected = [.. expected.Select(o => (o.Value, o.Error, (string?)null))];
            actual = [.. actual.Select(o => (o.Value, o.Error, (string?)null))];
        }

        Assert.Equal(items.Length, expected.Count);
        Assert.Equal(expected, actual);
    }

    /// <summary>Each item's outcome, taking the items one Map at a time from where the last one failed (a Map stops at its first error).</summary>
    private List<(TResult? Value, Type? Error, string? Message)> Outcomes<T, TResult>(Func<T, TResult> fn, T[] items, int chunkSize)
    {
        var outcomes = new List<(TResult?, Type?, string?)>();
        while (outcomes.Count < items.Length)
        {
            try
            {
                foreach (TResult result in _executor.Map(fn, items.Skip(outcomes.Count).ToArray(), timeout: TestTimeouts.Unexpected, chunkSize: chunkSize))
                {
                    outcomes.Add((result, null, null));
                }
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                outcomes.Add((default, ex.GetType(), ex.Message));
            }
        }

        return outcomes;
    }

    private static string Describe(string? text) => text is null ? "null" : $"{text.Length}:{text.ToUpperInvariant()}";

    public sealed record Pair(int Number, string Name);

    public readonly record struct Adder(int Offset)
    {
        public int Add(int x) => x + Offset;
    }
}
