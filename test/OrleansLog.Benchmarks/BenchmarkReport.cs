using System.Globalization;
using System.Text.Json;

namespace OrleansLog.Benchmarks;

/// <summary>Prints results as aligned lines and writes them as JSON.</summary>
public static class BenchmarkReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void PrintLine(BenchmarkResult result)
    {
        var ratio = double.IsNaN(result.Ratio) ? "   -  " : result.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";
        var latency = result.P50Ms is { } p50 ? string.Create(CultureInfo.InvariantCulture, $"   p50 {p50:0.00} ms  p99 {result.P99Ms:0.00} ms{(result.P999Ms is { } p999 ? $"  p99.9 {p999:0.00} ms" : "")}") : string.Empty;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{result.Case,-62} {result.RecordsPerSecond,12:N0} rec/s {result.MegabytesPerSecond,9:N1} MB/s {ratio,7} of {result.Baseline}{latency}"));
    }

    public static void WriteJson(string path, IEnumerable<BenchmarkResult> results)
    {
        var rows = results.Select(r => new
        {
            r.Suite,
            r.Case,
            r.Records,
            r.Bytes,
            r.Seconds,
            r.RecordsPerSecond,
            r.MegabytesPerSecond,
            r.Baseline,
            r.BaselineMegabytesPerSecond,
            r.P50Ms,
            r.P99Ms,
            r.P999Ms,
            r.Figures,
            Ratio = double.IsNaN(r.Ratio) ? (double?)null : r.Ratio,
        });
        File.WriteAllText(path, JsonSerializer.Serialize(new { machine = Environment.MachineName, cores = Environment.ProcessorCount, results = rows }, Json));
    }
}
