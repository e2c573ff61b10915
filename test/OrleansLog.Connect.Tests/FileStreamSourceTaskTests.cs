using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Connect.Files;
using OrleansLog.Connect.Hosting;
using OrleansLog.Connect.Plugins;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

public sealed class FileStreamSourceTaskTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly ConnectContext _context;

    public FileStreamSourceTaskTests()
    {
        _context = new ConnectContext(new ConnectOptions { FileRoots = [_root.Path] }, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Complete_lines_are_read_with_the_position_after_each_and_a_partial_line_waits()
    {
        var file = _root.Sub("in.txt");
        await File.WriteAllTextAsync(file, "one\r\ntwo\nthr");
        await using var task = await StartAsync(file, new Offsets(null));

        var first = await task.PollAsync(CancellationToken.None);
        await File.AppendAllTextAsync(file, "ee\n");
        var second = await task.PollAsync(CancellationToken.None);

        Assert.Equal(["one", "two"], first.Select(r => (string)r.Value!));
        Assert.Equal([5L, 9L], first.Select(r => r.SourceOffset["position"]!.GetValue<long>()));
        Assert.Equal("three", Assert.Single(second).Value);
        Assert.Equal(15L, second[0].SourceOffset["position"]!.GetValue<long>());
        Assert.Equal(file, first[0].SourcePartition["filename"]!.GetValue<string>());
        Assert.Equal("lines", first[0].Topic);
    }

    [Fact]
    public async Task A_restart_goes_on_from_the_committed_position()
    {
        var file = _root.Sub("in.txt");
        await File.WriteAllTextAsync(file, "one\ntwo\nthree\n");
        await using var task = await StartAsync(file, new Offsets(4));

        var records = await task.PollAsync(CancellationToken.None);

        Assert.Equal(["two", "three"], records.Select(r => (string)r.Value!));
    }

    [Fact]
    public async Task A_poll_returns_at_most_a_batch_and_utf8_is_kept()
    {
        var file = _root.Sub("in.txt");
        await File.WriteAllTextAsync(file, string.Concat(Enumerable.Range(0, 10).Select(i => $"ligne-é-{i}\n")), Encoding.UTF8);
        await using var task = await StartAsync(file, new Offsets(null), batchSize: 4);

        var first = await task.PollAsync(CancellationToken.None);
        var second = await task.PollAsync(CancellationToken.None);

        Assert.Equal(4, first.Count);
        Assert.Equal("ligne-é-4", second[0].Value);
    }

    [Fact]
    public async Task A_missing_file_is_waited_for()
    {
        var file = _root.Sub("later.txt");
        await using var task = await StartAsync(file, new Offsets(null));

        Assert.Empty(await task.PollAsync(CancellationToken.None));
        await File.WriteAllTextAsync(file, "now\n");
        Assert.Equal("now", Assert.Single(await task.PollAsync(CancellationToken.None)).Value);
    }

    [Fact]
    public async Task A_file_outside_the_roots_fails_the_task_at_start()
    {
        var task = new FileStreamSourceConnector().CreateTask(_context);

        await Assert.ThrowsAsync<Config.ConfigException>(() => task.StartAsync(Parse("/etc/passwd", 10), new Offsets(null), CancellationToken.None));
    }

    private async Task<SourceTask> StartAsync(string file, ISourceOffsets offsets, int batchSize = 2000)
    {
        var task = new FileStreamSourceConnector().CreateTask(_context);
        await task.StartAsync(Parse(file, batchSize), offsets, CancellationToken.None);
        return task;
    }

    private static Config.ConnectConfig Parse(string file, int batchSize) =>
        new FileStreamSourceConnector().Config.Parse(ImmutableDictionary<string, string>.Empty
            .Add("file", file).Add("topic", "lines").Add("batch.size", batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private sealed class Offsets(long? position) : ISourceOffsets
    {
        public JsonObject? OffsetOf(JsonObject partition) => position is { } p ? new JsonObject { ["position"] = p } : null;
    }
}
