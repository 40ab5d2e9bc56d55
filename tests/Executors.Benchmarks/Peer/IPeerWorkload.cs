namespace Executors.Benchmarks.Peer;

/// <summary>One workload of the peer benchmark, named and shaped like its twin in <c>cf_bench.py</c>.</summary>
internal interface IPeerWorkload
{
    /// <summary>Gets the workload name, exactly as <c>cf_bench.py</c> spells it.</summary>
    string Name { get; }

    /// <summary>Runs the workload once and records its figures and the parameters that explain them.</summary>
    /// <param name="result">Where the figures and info go.</param>
    void Run(PeerResult result);
}
