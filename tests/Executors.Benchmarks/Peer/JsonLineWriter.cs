using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Executors.Benchmarks.Peer;

/// <summary>
/// Writes the one JSON line of a peer run: <c>{"workload": NAME, "figures": {...}, "info": {...}}</c>,
/// figures rounded to 4 decimals as <c>cf_bench.py</c> does. Non-ASCII and HTML-sensitive characters
/// (<c>' &lt; +</c>) are written as they are (still valid JSON), so the info texts stay readable.
/// </summary>
internal static class JsonLineWriter
{
    /// <summary>Writes the line, terminated by a newline, and flushes.</summary>
    /// <param name="output">Standard output, normally.</param>
    /// <param name="workload">The workload name.</param>
    /// <param name="result">The figures and info.</param>
    public static void Write(TextWriter output, string workload, PeerResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("workload", workload);

            json.WriteStartObject("figures");
            foreach (KeyValuePair<string, double> figure in result.Figures)
            {
                json.WriteNumber(figure.Key, Math.Round(figure.Value, 4));
            }

            json.WriteEndObject();

            json.WriteStartObject("info");
            foreach (KeyValuePair<string, object> entry in result.Info)
            {
                json.WritePropertyName(entry.Key);
                WriteValue(json, entry.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }

    private static void WriteValue(Utf8JsonWriter json, object value)
    {
        switch (value)
        {
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case double d:
                json.WriteNumberValue(Math.Round(d, 4));
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
