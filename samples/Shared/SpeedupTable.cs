namespace Samples.Shared;

/// <summary>
/// The table of a speedup row: the same work timed serially and on executors. The serial work is
/// timed twice, before and after the others, and the faster run is the baseline: a burst of load
/// from another program during one serial run would otherwise inflate every speedup.
/// </summary>
public sealed class SpeedupTable
{
    private readonly string[] _extraColumns;
    private readonly List<(string How, TimeSpan Elapsed, string[] Extra)> _rows = [];
    private readonly List<(TimeSpan Elapsed, string[] Extra)> _serialRuns = [];

    /// <summary>Creates a table with "how", "wall time", "vs serial" and these extra columns.</summary>
    public SpeedupTable(params string[] extraColumns) => _extraColumns = extraColumns ?? [];

    /// <summary>Gets the baseline: the fastest serial run so far.</summary>
    public TimeSpan Serial => Fastest.Elapsed;

    private (TimeSpan Elapsed, string[] Extra) Fastest =>
        _serialRuns.Count > 0 ? _serialRuns.MinBy(r => r.Elapsed) : throw new InvalidOperationException("No serial run yet.");

    /// <summary>Records one serial run (call it before and after the other rows).</summary>
    public void AddSerialRun(TimeSpan elapsed, params string[] extra) => _serialRuns.Add((elapsed, extra));

    /// <summary>Records a row.</summary>
    public void Add(string how, TimeSpan elapsed, params string[] extra) => _rows.Add((how, elapsed, extra));

    /// <summary>The speedup of <paramref name="elapsed"/> over the baseline.</summary>
    public double Speedup(TimeSpan elapsed) => Serial / elapsed;

    /// <summary>Writes the table, and a line with every serial run.</summary>
    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var table = new TextTable(["how", "wall time", "vs serial", .. _extraColumns]);
        table.Add(["serial, one thread", $"{Serial.TotalSeconds:F2} s", "1.00x", .. Fastest.Extra]);
        foreach ((string how, TimeSpan elapsed, string[] extra) in _rows)
        {
            table.Add([how, $"{elapsed.TotalSeconds:F2} s", $"{Speedup(elapsed):F2}x", .. extra]);
        }

        table.WriteTo(output);
        output.WriteLine($"  Serial: the faster of {_serialRuns.Count} runs, before and after the others ({string.Join(", ", _serialRuns.Select(r => $"{r.Elapsed.TotalSeconds:F2} s"))}).");
    }
}
