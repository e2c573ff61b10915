using System.CommandLine;
using System.Globalization;
using System.Text;
using OrleansLog.Cli.Connection;
using OrleansLog.Partitions;
using OrleansLog.Storage.Format;
using OrleansLog.Topics;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>orleanslog consume TOPIC</c>: prints records, in order within each partition. Without
/// <c>--follow</c> it stops at the end offsets it saw when it started.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Build()
    {
        var topic = new Argument<string>("topic") { Description = "The topic to read." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest offset (default: only new records)." };
        var offset = new Option<long?>("--offset") { Description = "Start at this offset (with --partition)." };
        var partition = new Option<int?>("--partition") { Description = "Read only this partition." };
        var max = new Option<long?>("--max") { Description = "Stop after this many records." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep waiting for new records until Ctrl+C." };
        var printMetadata = new Option<bool>("--print-metadata") { Description = "Print partition, offset, timestamp and key before each value, tab-separated." };
        var command = new Command("consume", "Print records of a topic.") { topic, fromBeginning, offset, partition, max, follow, printMetadata };
        command.SetBrokerAction(async (parse, broker, cancellationToken) =>
        {
            var metadata = await broker.Grains.GetGrain<ITopicGrain>(parse.GetValue(topic)!).GetMetadata();
            int[] partitions = parse.GetValue(partition) is { } only
                ? only >= 0 && only < metadata.PartitionCount ? [only] : throw new CliException(ExitCodes.Usage, $"--partition {only} is outside topic {metadata.Name}'s partitions 0..{metadata.PartitionCount - 1}")
                : [.. Enumerable.Range(0, metadata.PartitionCount)];
            if (parse.GetValue(offset) is not null && parse.GetValue(partition) is null && partitions.Length > 1)
            {
                throw new CliException(ExitCodes.Usage, "--offset needs --partition when the topic has more than one partition");
            }

            var grains = partitions.Select(p => broker.Grains.GetPartitionGrain(metadata.Name, p)).ToArray();
            var positions = new long[partitions.Length];
            var ends = new long[partitions.Length];
            for (var i = 0; i < partitions.Length; i++)
            {
                positions[i] = parse.GetValue(offset)
                    ?? await grains[i].ListOffset(parse.GetValue(fromBeginning) ? ListOffsetsSpec.Earliest : ListOffsetsSpec.Latest);
                ends[i] = await grains[i].ListOffset(ListOffsetsSpec.Latest);
            }

            var following = parse.GetValue(follow);
            var limit = parse.GetValue(max) ?? long.MaxValue;
            var withMetadata = parse.GetValue(printMetadata);
            using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
            long printed = 0;
            while (printed < limit && !cancellationToken.IsCancellationRequested)
            {
                var anyOpen = false;
                for (var i = 0; i < partitions.Length && printed < limit; i++)
                {
                    if (!following && positions[i] >= ends[i])
                    {
                        continue;
                    }

                    anyOpen = true;
                    var response = await grains[i].Fetch(new FetchRequest(positions[i], MaxWaitMs: following && partitions.Length == 1 ? 500 : 0));
                    if (response.Error != ErrorCode.None)
                    {
                        throw new OrleansLogException(response.Error, response.ErrorMessage ?? response.Error.KafkaName());
                    }

                    printed += Print(response.Records.Span, partitions[i], ref positions[i], limit - printed, withMetadata, output);
                }

                if (!anyOpen)
                {
                    break;
                }

                if (following && partitions.Length > 1)
                {
                    await output.FlushAsync(cancellationToken);
                    await Task.Delay(100, cancellationToken);
                }
            }

            await output.FlushAsync(CancellationToken.None);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static long Print(ReadOnlySpan<byte> batches, int partition, ref long position, long limit, bool withMetadata, TextWriter output)
    {
        long printed = 0;
        while (!batches.IsEmpty && printed < limit)
        {
            var header = RecordBatchHeader.Read(batches);
            using (var records = new RecordReader(batches[..header.SizeInBytes]))
            {
                while (printed < limit && records.TryReadNext(out var record))
                {
                    if (record.Offset < position)
                    {
                        continue;
                    }

                    if (withMetadata)
                    {
                        var key = record.HasKey ? Encoding.UTF8.GetString(record.Key) : "null";
                        output.Write(string.Create(CultureInfo.InvariantCulture, $"{partition}\t{record.Offset}\t{record.Timestamp}\t{key}\t"));
                    }

                    output.WriteLine(record.HasValue ? Encoding.UTF8.GetString(record.Value) : "null");
                    position = record.Offset + 1;
                    printed++;
                }
            }

            if (printed < limit)
            {
                position = Math.Max(position, header.NextOffset);
            }

            batches = batches[header.SizeInBytes..];
        }

        return printed;
    }
}
