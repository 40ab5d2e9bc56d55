using BenchmarkDotNet.Running;
using Executors.Benchmarks.Peer;

namespace Executors.Benchmarks;

/// <summary>
/// Entry point: <c>peer WORKLOAD</c> runs one peer workload (the Python <c>cf_bench.py</c> twin) and
/// prints one JSON line; <c>micro [BenchmarkDotNet args]</c> runs the BenchmarkDotNet classes in Micro/.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: Executors.Benchmarks peer <workload>\n" +
        "       Executors.Benchmarks micro [BenchmarkDotNet arguments, e.g. --filter *Submit* --job short]\n";

    private static int Main(string[] args)
    {
        if (args.Length >= 1 && args[0] == "peer")
        {
            return PeerRunner.Run(args[1..], Console.Out, Console.Error);
        }

        if (args.Length >= 1 && args[0] == "micro")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }

        Console.Error.Write(Usage);
        Console.Error.WriteLine("workloads: " + string.Join(" ", PeerRunner.AllWorkloadNames));
        return 2;
    }
}
