using ScottPlot;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// The report's PNG charts, drawn with ScottPlot 5: per workload, publish and consume rates as bars
/// per driver, and the publish and end-to-end latency percentile curves (HdrHistogram's, on the usual
/// log scale of 1/(1-p), so the tail is as wide as the median).
/// </summary>
public static class CompareCharts
{
    private static readonly double[] PercentileTicks = [0, 1, 2, 3, 4];
    private static readonly string[] PercentileLabels = ["0%", "90%", "99%", "99.9%", "99.99%"];

    /// <summary>Draws every chart into <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<WorkloadResult> results)
    {
        var files = new List<string>();
        var drivers = results.Select(r => r.Driver).Distinct().ToList();
        foreach (var workload in results.GroupBy(r => r.Workload))
        {
            files.Add(Throughput(directory, workload.Key, [.. workload], drivers));
            if (Latency(directory, workload.Key, "publish", [.. workload.Where(r => r.PublishLatency is not null).Select(r => (r.Driver, r.PublishLatency!))], drivers) is { } publish)
            {
                files.Add(publish);
            }

            if (Latency(directory, workload.Key, "end-to-end", [.. workload.Where(r => r.EndToEndLatency is not null).Select(r => (r.Driver, r.EndToEndLatency!))], drivers) is { } endToEnd)
            {
                files.Add(endToEnd);
            }
        }

        return files;
    }

    private static string Throughput(string directory, string workload, List<WorkloadResult> results, List<string> drivers)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        for (var i = 0; i < results.Count; i++)
        {
            bars.Add(new Bar { Position = (i * 3) + 0, Value = results[i].PublishRate / 1000, FillColor = palette.GetColor(0) });
            bars.Add(new Bar { Position = (i * 3) + 1, Value = results[i].ConsumeRate / 1000, FillColor = palette.GetColor(1) });
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. results.Select((_, i) => (i * 3) + 0.5)], [.. results.Select(r => Wrap(r.Driver))]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.Title($"{workload}: throughput");
        plot.YLabel("thousand messages per second");
        plot.ShowLegend([new LegendItem { LabelText = "publish", FillColor = palette.GetColor(0) }, new LegendItem { LabelText = "consume", FillColor = palette.GetColor(1) }], Alignment.UpperRight);
        var file = Path.Combine(directory, $"throughput-{workload}.png");
        plot.SavePng(file, Math.Max(900, 220 * results.Count), 520);
        return file;
    }

    private static string? Latency(string directory, string workload, string kind, List<(string Driver, LatencySummary Summary)> curves, List<string> drivers)
    {
        if (curves.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var (driver, summary) in curves)
        {
            var points = summary.Curve.Where(p => p.Percentile < 100 && p.Ms > 0).ToList();
            double[] xs = [.. points.Select(p => -Math.Log10(1 - (p.Percentile / 100)))];
            double[] ys = [.. points.Select(p => Math.Log10(p.Ms))];
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = driver;
            line.LineWidth = 2;
            line.Color = palette.GetColor(drivers.IndexOf(driver));
        }

        plot.Axes.Bottom.SetTicks(PercentileTicks, PercentileLabels);
        double[] msTicks = [0.01, 0.1, 1, 10, 100, 1000, 10000];
        plot.Axes.Left.SetTicks([.. msTicks.Select(Math.Log10)], [.. msTicks.Select(t => t.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Title($"{workload}: {kind} latency");
        plot.XLabel("percentile");
        plot.YLabel("milliseconds (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        var file = Path.Combine(directory, $"latency-{kind}-{workload}.png");
        plot.SavePng(file, 900, 560);
        return file;
    }

    /// <summary>Driver names are long: the part in parentheses goes on a second line.</summary>
    private static string Wrap(string driver) => driver.Replace(" (", "\n(", StringComparison.Ordinal);
}
