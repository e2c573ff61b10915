using System.CommandLine;
using System.Text;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Client;
using OrleansLog.Client.Producing;
using OrleansLog.Partitions;
using OrleansLog.Records.Compression;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>orleanslog produce TOPIC</c>: one record per stdin line through the client's producer: keyed lines
/// go to Kafka's murmur2 partition for the key, keyless lines to a sticky partition, batches are
/// compressed and (with acks=all) idempotent. The first failed delivery stops the command; every line
/// before the first failure that was reported delivered is in the log.
/// </summary>
internal static class ProduceCommand
{
    public static Command Build()
    {
        var topic = new Argument<string>("topic") { Description = "The topic to write to." };
        var keySeparator = new Option<string?>("--key-separator", "-k") { Description = "Each line is key, separator, value (the first occurrence splits)." };
        var partition = new Option<int?>("--partition") { Description = "Write every record to this partition." };
        var acks = new Option<string>("--acks") { Description = "0, 1, all (or -1).", DefaultValueFactory = _ => "all" };
        var compression = new Option<string>("--compression") { Description = "none, gzip, snappy, lz4 or zstd.", DefaultValueFactory = _ => "none" };
        var command = new Command("produce", "Write records read from stdin, one per line.") { topic, keySeparator, partition, acks, compression };
        command.SetBrokerAction(async (parse, broker, cancellationToken) =>
        {
            if (!CompressionCodecs.TryParse(parse.GetValue(compression)!, out var codec))
            {
                throw new CliException(ExitCodes.Usage, $"--compression \"{parse.GetValue(compression)}\" is not one of none, gzip, snappy, lz4, zstd");
            }

            var acksText = parse.GetValue(acks)!;
            var acksValue = acksText == "all" ? Acks.All
                : short.TryParse(acksText, System.Globalization.CultureInfo.InvariantCulture, out var number) && Acks.IsValid(number) ? number
                : throw new CliException(ExitCodes.Usage, $"--acks {acksText} is not 0, 1, all or -1");

            var metadata = await broker.Admin.DescribeTopicAsync(parse.GetValue(topic)!);
            var fixedPartition = parse.GetValue(partition);
            if (fixedPartition is < 0 || fixedPartition >= metadata.Topic.PartitionCount)
            {
                throw new CliException(ExitCodes.Usage, $"--partition {fixedPartition} is outside topic {metadata.Topic.Name}'s partitions 0..{metadata.Topic.PartitionCount - 1}");
            }

            var config = new ProducerConfig { Acks = acksValue, Compression = codec, BatchSize = 256 * 1024, MaxRequestSize = 1024 * 1024, ClientId = "orleanslog-cli" };
            await using var producer = broker.Client.CreateProducer<byte[]?, byte[]>(config);
            var failure = new DeliveryFailure();
            using var progress = new ProgressReporter("produced");
            var separator = parse.GetValue(keySeparator);
            var lineNumber = 0L;
            using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, false, 1 << 16);
            while (!failure.Failed && await input.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                byte[]? key = null;
                var value = line;
                if (separator is { Length: > 0 })
                {
                    var at = line.IndexOf(separator, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        await producer.FlushAsync(CancellationToken.None);
                        throw new CliException(ExitCodes.BadInput, $"line {lineNumber} has no key separator \"{separator}\"; {lineNumber - 1} records before it were written");
                    }

                    key = Encoding.UTF8.GetBytes(line[..at]);
                    value = line[(at + separator.Length)..];
                }

                var message = new Message<byte[]?, byte[]> { Key = key, Value = Encoding.UTF8.GetBytes(value) };
                if (fixedPartition is { } fixedTo)
                {
                    producer.Produce(new TopicPartition(metadata.Topic.Name, fixedTo), message, failure.Record);
                }
                else
                {
                    producer.Produce(metadata.Topic.Name, message, failure.Record);
                }

                progress.Report(lineNumber, line.Length + 1);
            }

            await producer.FlushAsync(CancellationToken.None);
            failure.ThrowIfFailed();
            progress.Complete(lineNumber);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Remembers the first failed delivery (reported on the producer's sender thread).</summary>
    private sealed class DeliveryFailure
    {
        private DeliveryReport<byte[]?, byte[]>? _first;

        public bool Failed => Volatile.Read(ref _first) is not null;

        public void Record(DeliveryReport<byte[]?, byte[]> report)
        {
            if (report.IsError)
            {
                Interlocked.CompareExchange(ref _first, report, null);
            }
        }

        public void ThrowIfFailed()
        {
            if (_first is { } report)
            {
                throw new OrleansLogException(report.Error, report.ErrorMessage ?? report.Error.KafkaName());
            }
        }
    }
}
