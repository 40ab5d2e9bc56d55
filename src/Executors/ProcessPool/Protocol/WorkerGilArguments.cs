using System.Globalization;

namespace Executors.ProcessPool.Protocol;

/// <summary>
/// Carries <see cref="ProcessPoolExecutorOptions.WorkerGil"/> to a worker process on its command line
/// (<c>--gil interval=…;force=…;…</c>), so that the worker creates its own emulated lock before the
/// handshake. Invariant culture both ways.
/// </summary>
internal static class WorkerGilArguments
{
    /// <summary>The command-line switch that precedes the encoded options.</summary>
    public const string Switch = "--gil";

    /// <summary>Encodes the options as one command-line value.</summary>
    public static string Format(GilOptions options)
    {
        var parts = new List<string>
        {
            Part("interval", options.SwitchInterval.Ticks),
            Part("force", options.ForceSwitching ? 1 : 0),
            Part("handoff", (int)options.Handoff),
            Part("bias", options.OldestWaiterBias.ToString("R", CultureInfo.InvariantCulture)),
            Part("direct", options.DirectHandoff ? 1 : 0),
            Part("yield", options.YieldWindow.Ticks),
        };
        if (options.Seed is { } seed)
        {
            parts.Add(Part("seed", seed));
        }

        if (options.LongHoldThreshold is { } threshold)
        {
            parts.Add(Part("longhold", threshold.Ticks));
        }

        return string.Join(';', parts);
    }

    /// <summary>Decodes a value made by <see cref="Format"/>; <see langword="false"/> if it is malformed.</summary>
    public static bool TryParse(string value, out GilOptions? options)
    {
        options = null;
        var result = new GilOptions();
        try
        {
            foreach (string part in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    return false;
                }

                string key = part[..equals];
                string text = part[(equals + 1)..];
                switch (key)
                {
                    case "interval":
                        result.SwitchInterval = TimeSpan.FromTicks(long.Parse(text, CultureInfo.InvariantCulture));
                        break;
                    case "force":
                        result.ForceSwitching = text == "1";
                        break;
                    case "handoff":
                        result.Handoff = (GilHandoff)int.Parse(text, CultureInfo.InvariantCulture);
                        break;
                    case "bias":
                        result.OldestWaiterBias = double.Parse(text, CultureInfo.InvariantCulture);
                        break;
                    case "direct":
                        result.DirectHandoff = text == "1";
                        break;
                    case "yield":
                        result.YieldWindow = TimeSpan.FromTicks(long.Parse(text, CultureInfo.InvariantCulture));
                        break;
                    case "seed":
                        result.Seed = int.Parse(text, CultureInfo.InvariantCulture);
                        break;
                    case "longhold":
                        result.LongHoldThreshold = TimeSpan.FromTicks(long.Parse(text, CultureInfo.InvariantCulture));
                        break;
                    default:
                        return false;
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            return false;
        }

        options = result;
        return true;
    }

    private static string Part(string key, object value) => string.Create(CultureInfo.InvariantCulture, $"{key}={value}");
}
