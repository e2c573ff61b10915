using System.Text;
using OrleansLog.Records;
using OrleansLog.Storage;

// Usage: CrashWriter <log-dir> <run-id> <value-bytes>
// Appends batches durably forever; after each acknowledgement prints "acked <offset> <value-prefix>".
// The crash test kills this process with SIGKILL and checks that every printed batch survived.
var directory = args[0];
var runId = args[1];
var valueBytes = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
using var log = PartitionLog.Open(directory, new LogConfig { SegmentBytes = 4 * 1024 * 1024 });
using var builder = new RecordBatchBuilder(CompressionType.None);
var padding = new string('p', valueBytes);
var output = Console.Out;
Console.Out.WriteLine($"opened {log.LogEndOffset}");
for (var n = 0; ; n++)
{
    builder.Reset();
    var value = $"{runId}-{n}";
    builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes(value + "|" + padding));
    var info = await log.AppendAsync(builder.Build(), flushOnCallingThread: true);
    output.WriteLine($"acked {info.FirstOffset} {value}");
    output.Flush();
}
