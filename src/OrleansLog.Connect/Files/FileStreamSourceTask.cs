using System.Text;
using System.Text.Json.Nodes;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Files;

/// <summary>
/// Reads complete lines from the file from the committed position on. Waits for the file to appear or grow, checking
/// every <see cref="PollWait"/>. A line longer than 1 MiB is sent in 1 MiB pieces rather than held.
/// </summary>
public sealed class FileStreamSourceTask(ConnectContext context) : SourceTask
{
    public static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(200);

    private static readonly ConnectSchema LineSchema = new(ConnectTypes.String);

    private readonly byte[] _buffer = new byte[1024 * 1024];
    private string _file = "";
    private string _topic = "";
    private int _batchSize;
    private JsonObject _partition = [];
    private FileStream? _stream;
    private long _position;
    private int _buffered;
    private int _start;
    private int _scanned;

    public override Task StartAsync(ConnectConfig config, ISourceOffsets offsets, CancellationToken cancellationToken)
    {
        _file = config.RequireString(FileStreamSourceConnector.File);
        if (FileRoots.Check(_file, context.Options.FileRoots) is { } refused)
        {
            throw new ConfigException(refused);
        }

        _topic = config.RequireString(FileStreamSourceConnector.Topic);
        _batchSize = config.GetInt(FileStreamSourceConnector.BatchSize);
        _partition = new JsonObject { ["filename"] = _file };
        _position = offsets.OffsetOf(_partition)?["position"]?.GetValue<long>() ?? 0;
        return Task.CompletedTask;
    }

    public override async Task<IReadOnlyList<SourceRecord>> PollAsync(CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            if (!File.Exists(_file))
            {
                await Task.Delay(PollWait, context.Time, cancellationToken);
                return [];
            }

            _stream = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            _stream.Position = _position;
        }

        var records = new List<SourceRecord>();
        while (records.Count < _batchSize)
        {
            if (NextLine() is { } line)
            {
                records.Add(new SourceRecord(_partition, new JsonObject { ["position"] = _position }, _topic, null, null, LineSchema, line, null));
                continue;
            }

            if (_buffered == _buffer.Length && _start == 0)
            {
                // A line longer than the buffer: sent in pieces, so one line cannot make the task hold without bound.
                var piece = Encoding.UTF8.GetString(_buffer, 0, _buffered);
                _position += _buffered;
                _buffered = _scanned = _start = 0;
                records.Add(new SourceRecord(_partition, new JsonObject { ["position"] = _position }, _topic, null, null, LineSchema, piece, null));
                continue;
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_buffered), cancellationToken);
            if (read == 0)
            {
                break;
            }

            _buffered += read;
        }

        if (records.Count == 0)
        {
            await Task.Delay(PollWait, context.Time, cancellationToken);
        }

        return records;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>The next complete line in the buffer (its end taken off, "\r\n" too), moving the position past it.</summary>
    private string? NextLine()
    {
        var end = _buffer.AsSpan(_scanned, _buffered - _scanned).IndexOf((byte)'\n');
        if (end < 0)
        {
            _scanned = _buffered;
            if (_start > 0)
            {
                // Room for the next read: what is left of a line moves to the front, once per read.
                _buffer.AsSpan(_start, _buffered - _start).CopyTo(_buffer);
                _buffered -= _start;
                _scanned -= _start;
                _start = 0;
            }

            return null;
        }

        var lineEnd = _scanned + end;
        var length = lineEnd > _start && _buffer[lineEnd - 1] == '\r' ? lineEnd - 1 - _start : lineEnd - _start;
        var line = Encoding.UTF8.GetString(_buffer, _start, length);
        _position += lineEnd + 1 - _start;
        _start = _scanned = lineEnd + 1;
        return line;
    }
}
