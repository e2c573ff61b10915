using System.CommandLine;
using OrleansLog.Benchmarks;
using OrleansLog.Benchmarks.Storage;

var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file." };
var quick = new Option<bool>("--quick") { Description = "Small volumes: a smoke run that every path produces figures." };
var directory = new Option<DirectoryInfo?>("--dir") { Description = "Where to write (default: .bench-data in the current folder)." };

var storage = new Command("storage", "Storage engine appends and reads against raw disk writes and reads of the same batch size.")
{
    json, quick, directory,
};
storage.SetAction(async (parse, _) =>
{
    var folder = parse.GetValue(directory)?.FullName ?? Path.Combine(Environment.CurrentDirectory, ".bench-data");
    try
    {
        var results = await new StorageBenchmark(folder, parse.GetValue(quick)).RunAsync();
        if (parse.GetValue(json) is { } file)
        {
            BenchmarkReport.WriteJson(file.FullName, results);
        }
    }
    finally
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    return 0;
});

var root = new RootCommand("OrleansLog benchmarks. Run in Release.") { storage };
return await root.Parse(args).InvokeAsync();
