using System.Diagnostics;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// For scale: the round trip of one byte through two pipes and another process (<c>cat</c>), with
/// nothing else (no framing, serialization, futures or threads in between).
/// </summary>
internal static class RawPipeRoundTrip
{
    private const int RoundTrips = 2_000;
    private const int Untimed = 200;

    /// <summary>Runs the round trips.</summary>
    /// <returns>The median and minimum round trip in microseconds.</returns>
    public static (double MedianUs, double MinUs) Measure()
    {
        var start = new ProcessStartInfo("cat")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using Process cat = Process.Start(start) ?? throw new InvalidOperationException("cat did not start.");
        try
        {
            Stream input = cat.StandardInput.BaseStream;
            Stream output = cat.StandardOutput.BaseStream;
            byte[] one = [42];
            byte[] back = new byte[1];
            var samples = new List<double>(RoundTrips);
            for (int i = 0; i < Untimed + RoundTrips; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                input.Write(one);
                input.Flush();
                if (output.Read(back) != 1)
                {
                    throw new InvalidOperationException("cat closed its output.");
                }

                long t1 = Stopwatch.GetTimestamp();
                if (i >= Untimed)
                {
                    samples.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds);
                }
            }

            return (ProcessPoolPeer.Median(samples), samples.Min());
        }
        finally
        {
            cat.StandardInput.Close();
            if (!cat.WaitForExit(5_000))
            {
                cat.Kill();
            }
        }
    }
}
