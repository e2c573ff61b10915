using System.Globalization;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>Reads values out of Prometheus' text exposition format (what a broker's <c>/metrics</c> answers).</summary>
public static class PrometheusText
{
    /// <summary>As <see cref="SumDouble"/>, as a whole number.</summary>
    public static long Sum(string exposition, string name, string? label = null) => (long)SumDouble(exposition, name, label);

    /// <summary>
    /// The sum of every sample of the metric whose name starts with <paramref name="name"/> (whatever the rest of
    /// its name, such as <c>_total</c>), of those whose labels hold <paramref name="label"/> when given; 0 when there is none.
    /// </summary>
    public static double SumDouble(string exposition, string name, string? label = null)
    {
        double sum = 0;
        foreach (var line in exposition.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty || line[0] == '#' || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            // "name{labels} value [timestamp]": the value follows the labels' closing brace, or the name's end.
            var labelsEnd = line.LastIndexOf('}');
            if (label is not null && (labelsEnd < 0 || !line[..labelsEnd].Contains(label, StringComparison.Ordinal)))
            {
                continue;
            }

            var valueStart = labelsEnd >= 0 ? labelsEnd + 1 : line.IndexOf(' ');
            if (valueStart < 0)
            {
                continue;
            }

            var rest = line[valueStart..].TrimStart();
            var end = rest.IndexOf(' ');
            if (double.TryParse(end >= 0 ? rest[..end] : rest, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                sum += value;
            }
        }

        return sum;
    }
}
