namespace Executors.Benchmarks.Peer;

/// <summary>
/// The figures (numbers a driver aggregates over runs) and info (parameters that explain them) of one
/// workload run, in insertion order, as <c>cf_bench.py</c> prints them.
/// </summary>
internal sealed class PeerResult
{
    /// <summary>Gets the figures: name → number.</summary>
    public OrderedDictionary<string, double> Figures { get; } = [];

    /// <summary>Gets the info: name → string, integer, floating-point number or boolean.</summary>
    public OrderedDictionary<string, object> Info { get; } = [];
}
