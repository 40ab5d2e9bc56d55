using System.Text;

namespace Samples.Shared;

/// <summary>
/// A table printed as Markdown (pipes, aligned columns), so a sample's output can be pasted into the docs as is.
/// </summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    /// <summary>Creates a table with these column headers.</summary>
    public TextTable(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _headers = headers;
    }

    /// <summary>Adds a row; it must have one cell per column.</summary>
    public void Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Expected {_headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    /// <summary>Writes the table to <paramref name="writer"/>.</summary>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int[] widths = _headers.Select(h => h.Length).ToArray();
        foreach (string[] row in _rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        writer.WriteLine(Line(_headers, widths));
        writer.WriteLine(Line(widths.Select(w => new string('-', w)).ToArray(), widths));
        foreach (string[] row in _rows)
        {
            writer.WriteLine(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder("|");
        for (int i = 0; i < cells.Length; i++)
        {
            line.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }

        return line.ToString();
    }
}
