namespace Executors.Tests.Testing.Guide;

/// <summary>Code under test in docs/testing.md: fetches a quote in the background, once per product, and serves it when it has arrived.</summary>
internal sealed class QuoteCache(IExecutor executor, Func<string, decimal> source)
{
    private readonly Dictionary<string, Future<decimal>> _quotes = [];

    /// <summary>Starts fetching the quote of <paramref name="product"/>, unless that has been done already.</summary>
    public void Prefetch(string product)
    {
        lock (_quotes)
        {
            if (!_quotes.ContainsKey(product))
            {
                _quotes[product] = executor.Submit(source, product);
            }
        }
    }

    /// <summary>Returns the quote if it has arrived, or <see langword="null"/>.</summary>
    public decimal? TryGet(string product)
    {
        Future<decimal>? quote;
        lock (_quotes)
        {
            _quotes.TryGetValue(product, out quote);
        }

        return quote is { IsDone: true, IsCanceled: false } && quote.GetException() is null ? quote.GetResult() : null;
    }
}
