using System.Globalization;
using System.Text;

namespace OrleansLog.Web.Sampling;

/// <summary>Draws samples as a small inline SVG line chart (no script, no library): time along, value up, with the latest value labelled.</summary>
public static class LagChart
{
    public static string Svg(IReadOnlyList<Sample> samples, string label, int width = 600, int height = 160)
    {
        if (samples.Count == 0)
        {
            return "<p class=\"muted\">No samples yet.</p>";
        }

        var max = Math.Max(1, samples.Max(s => s.Value));
        var start = samples[0].At;
        var span = Math.Max(1, (samples[^1].At - start).TotalSeconds);
        var points = new StringBuilder();
        foreach (var sample in samples)
        {
            var x = 40 + ((sample.At - start).TotalSeconds / span * (width - 50));
            var y = height - 20 - ((double)sample.Value / max * (height - 40));
            points.Append(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#} ");
        }

        return string.Create(CultureInfo.InvariantCulture, $"""
            <svg class="chart" role="img" aria-label="{label}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
              <line x1="40" y1="{height - 20}" x2="{width - 10}" y2="{height - 20}" stroke="#999"/>
              <line x1="40" y1="10" x2="40" y2="{height - 20}" stroke="#999"/>
              <text x="2" y="20" font-size="11">{max}</text><text x="2" y="{height - 20}" font-size="11">0</text>
              <polyline fill="none" stroke="#1f6feb" stroke-width="2" points="{points}"/>
              <text x="{width - 200}" y="20" font-size="12">{label}: {samples[^1].Value}</text>
            </svg>
            """);
    }
}
