using System.CommandLine;
using System.Text;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Client.Partitioning;
using OrleansLog.Partitions;
using OrleansLog.Storage.Compression;
using OrleansLog.Storage.Format;
using OrleansLog.Topics;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>orleanslog produce TOPIC</c>: one record per stdin line, batched per partition. Keyed lines go to
/// Kafka's murmur2 partition for the key; keyless lines fill one partition's batch at a time (sticky).
/// One batch per partition is in flight at a time, so records keep their order within a partition.
/// </summary>
internal static class ProduceCommand
{
    private const int BatchBytes = 256 * 1024;

    public static Command Build()
    {
        var topic = new Argument<string>("topic") { Description = "The topic to write to." };
        var keySeparator = new Option<string?>("--key-separator", "-k") { Description = "Each line is key, separator, value (the first occurrence splits)." };
        var partition = new Option<int?>("--partition") { Description = "Write every record to this partition." };
        var acks = new Option<short>("--acks") { Description = "0, 1 or -1 (all).", DefaultValueFactory = _ => Acks.All };
        var compression = new Option<string>("--compression") { Description = "none, gzip, snappy, lz4 or zstd.", DefaultValueFactory = _ => "none" };
        var command = new Command("produce", "Write records read from stdin, one per line.") { topic, keySeparator, partition, acks, compression };
        command.SetBrokerAction(async (parse, broker, cancellationToken) =>
        {
            if (!CompressionCodecs.TryParse(parse.GetValue(compression)!, out var codec))
            {
                throw new CliException(ExitCodes.Usage, $"--compression \"{parse.GetValue(compression)}\" is not one of none, gzip, snappy, lz4, zstd");
            }

            var metadata = await broker.Grains.GetGrain<ITopicGrain>(parse.GetValue(topic)!).GetMetadata();
            var fixedPartition = parse.GetValue(partition);
            if (fixedPartition is < 0 || fixedPartition >= metadata.PartitionCount)
            {
                throw new CliException(ExitCodes.Usage, $"--partition {fixedPartition} is outside topic {metadata.Name}'s partitions 0..{metadata.PartitionCount - 1}");
            }

            var writer = new PartitionedWriter(broker.Grains, metadata.Name, metadata.PartitionCount, codec, parse.GetValue(acks));
            using var progress = new ProgressReporter("produced");
            var separator = parse.GetValue(keySeparator);
            var lineNumber = 0L;
            var sticky = 0;
            using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, false, 1 << 16);
            while (await input.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                byte[]? key = null;
                var value = line;
                if (separator is { Length: > 0 })
                {
                    var at = line.IndexOf(separator, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        await writer.FlushAsync();
                        throw new CliException(ExitCodes.BadInput, $"line {lineNumber} has no key separator \"{separator}\"; {lineNumber - 1} records before it were written");
                    }

                    key = Encoding.UTF8.GetBytes(line[..at]);
                    value = line[(at + separator.Length)..];
                }

                var target = fixedPartition
                    ?? (key is not null ? Murmur2Partitioner.Partition(key, metadata.PartitionCount) : sticky);
                if (await writer.AddAsync(target, key, Encoding.UTF8.GetBytes(value), BatchBytes) && key is null && fixedPartition is null)
                {
                    sticky = (sticky + 1) % metadata.PartitionCount;
                }

                progress.Report(lineNumber, line.Length + 1);
            }

            await writer.FlushAsync();
            progress.Complete(lineNumber);
            return ExitCodes.Ok;
        });
        return command;
    }
}
