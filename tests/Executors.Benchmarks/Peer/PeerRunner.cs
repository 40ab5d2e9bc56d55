using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// Runs one peer workload in this (fresh) process and prints its JSON line on standard output;
/// everything else goes to standard error.
/// </summary>
internal static class PeerRunner
{
    /// <summary>Workloads of <c>/work/shared/bench/README.md</c> that have no C# twin yet.</summary>
    private static readonly string[] s_notImplemented = [];

    private static readonly IPeerWorkload[] s_implemented =
    [
        new ThreadNoopSubmitWorkload(),
        new ThreadMapWorkload(),
        new ProcessNoopSubmitWorkload(),
        new ProcessMapChunksWorkload(),
        new ProcessLatencyWorkload(),
        new ProcessPayloadWorkload(),
        new ProcessStartupWorkload(),
        new CpuSpeedupWorkload(),
        new GilIoMixWorkload(),
    ];

    /// <summary>Gets every workload name of the peer table, implemented or not.</summary>
    public static IEnumerable<string> AllWorkloadNames => s_implemented.Select(w => w.Name).Concat(s_notImplemented);

    /// <summary>Runs the workload named by the single argument.</summary>
    /// <param name="args">The arguments after <c>peer</c>.</param>
    /// <param name="output">Receives the one JSON line.</param>
    /// <param name="log">Receives everything else.</param>
    /// <returns>0 on success; 2 for a usage error or a workload that is not implemented yet.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter log)
    {
        if (args.Length != 1)
        {
            log.WriteLine("usage: Executors.Benchmarks peer <" + string.Join("|", AllWorkloadNames) + ">");
            return 2;
        }

        string name = args[0];
        IPeerWorkload? workload = Array.Find(s_implemented, w => w.Name == name);
        if (workload is null)
        {
            if (s_notImplemented.Contains(name))
            {
                log.WriteLine($"peer workload '{name}' is not implemented yet in Executors.Benchmarks (implemented: {string.Join(", ", s_implemented.Select(w => w.Name))}).");
            }
            else
            {
                log.WriteLine($"unknown peer workload '{name}'.");
                log.WriteLine("usage: Executors.Benchmarks peer <" + string.Join("|", AllWorkloadNames) + ">");
            }

            return 2;
        }

        long start = Stopwatch.GetTimestamp();
        var result = new PeerResult();
        workload.Run(result);
        AddRuntimeInfo(result);
        result.Info["wall_s"] = Math.Round(Stopwatch.GetElapsedTime(start).TotalSeconds, 3);
        JsonLineWriter.Write(output, name, result);
        return 0;
    }

    private static void AddRuntimeInfo(PeerResult result)
    {
        result.Info["dotnet"] = Environment.Version.ToString();
        result.Info["runtime"] = RuntimeInformation.FrameworkDescription;
        result.Info["os"] = RuntimeInformation.OSDescription;
        result.Info["processor_count"] = Environment.ProcessorCount;
        result.Info["server_gc"] = GCSettings.IsServerGC;
        result.Info["optimized_build"] = IsOptimizedBuild();
    }

    private static bool IsOptimizedBuild()
    {
        var debuggable = (DebuggableAttribute?)Attribute.GetCustomAttribute(typeof(PeerRunner).Assembly, typeof(DebuggableAttribute));
        return debuggable is null || !debuggable.IsJITOptimizerDisabled;
    }
}
