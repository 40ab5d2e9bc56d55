namespace Executors.Tests.Testing.Guide;

/// <summary>
/// Code under test in docs/testing.md: asks every price source at once and returns the lowest price
/// that arrived within the timeout. Sources that fail or are late are ignored; late ones are canceled.
/// </summary>
internal sealed class PriceQuoter(IExecutor executor, IReadOnlyList<Func<string, decimal>> sources, TimeProvider timeProvider)
{
    public decimal? BestPrice(string product, TimeSpan timeout)
    {
        Future<decimal>[] quotes = [.. sources.Select(source => executor.Submit(source, product))];
        Futures.Wait(quotes, timeout, ReturnWhen.AllCompleted, timeProvider);

        decimal? best = null;
        foreach (Future<decimal> quote in quotes)
        {
            if (!quote.IsDone)
            {
                quote.Cancel();
                continue;
            }

            if (quote.IsCanceled || quote.GetException() is not null)
            {
                continue;
            }

            decimal price = quote.GetResult();
            if (best is null || price < best)
            {
                best = price;
            }
        }

        return best;
    }
}
