using System.Text;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Files;

/// <summary>Appends values as lines (a struct or list as JSON, null as "null", as Kafka's does) and fsyncs at each flush, so what the group commits is on disk.</summary>
public sealed class FileStreamSinkTask(ConnectContext context) : SinkTask
{
    private FileStream? _stream;

    public override Task StartAsync(ConnectConfig config, CancellationToken cancellationToken)
    {
        var file = config.RequireString(FileStreamSinkConnector.File);
        if (FileRoots.Check(file, context.Options.FileRoots) is { } refused)
        {
            throw new ConfigException(refused);
        }

        _stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
        return Task.CompletedTask;
    }

    public override async Task PutAsync(IReadOnlyList<SinkRecord> records, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(record.Value switch
            {
                null => "null",
                string line => line,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                var other => JsonConverter.ToJsonText(other),
            }).Append('\n');
        }

        await _stream!.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        _stream!.Flush(flushToDisk: true);
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
