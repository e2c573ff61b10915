using System.CommandLine;
using System.Globalization;
using System.Text;
using OrleansLog.Cli.Connection;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Partitions;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>orleanslog consume TOPIC</c>: prints records, in order within each partition, through the client's
/// consumer. Without a group it reads the partitions it is given and, without <c>--follow</c>, stops at
/// the end offsets it saw when it started. With <c>--group</c> it joins the group and commits what it
/// printed, after flushing it (at least once: a killed consumer's successor may print a record again,
/// never skip one); without <c>--follow</c> it stops after <c>--timeout-ms</c> without a record.
/// </summary>
internal static class ConsumeCommand
{
    private static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(1);

    public static Command Build()
    {
        var topic = new Argument<string>("topic") { Description = "The topic to read." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest offset (default: only new records); in a group, where nothing is committed." };
        var offset = new Option<long?>("--offset") { Description = "Start at this offset (with --partition)." };
        var partition = new Option<int?>("--partition") { Description = "Read only this partition." };
        var group = new Option<string?>("--group", "-g") { Description = "Consume as a member of this consumer group, committing what was printed." };
        var max = new Option<long?>("--max") { Description = "Stop after this many records." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep waiting for new records until Ctrl+C." };
        var timeout = new Option<int>("--timeout-ms") { Description = "With --group and without --follow: stop after this long without a record.", DefaultValueFactory = _ => 3000 };
        var printMetadata = new Option<bool>("--print-metadata") { Description = "Print partition, offset, timestamp and key before each value, tab-separated." };
        var command = new Command("consume", "Print records of a topic.") { topic, fromBeginning, offset, partition, group, max, follow, timeout, printMetadata };
        command.SetBrokerAction(async (parse, broker, cancellationToken) =>
        {
            var groupId = parse.GetValue(group);
            if (groupId is not null && (parse.GetValue(partition) is not null || parse.GetValue(offset) is not null))
            {
                throw new CliException(ExitCodes.Usage, "--group assigns partitions itself: drop --partition and --offset");
            }

            var details = await broker.Admin.DescribeTopicAsync(parse.GetValue(topic)!);
            var name = details.Topic.Name;

            int[] partitions = parse.GetValue(partition) is { } only
                ? only >= 0 && only < details.Topic.PartitionCount ? [only] : throw new CliException(ExitCodes.Usage, $"--partition {only} is outside topic {name}'s partitions 0..{details.Topic.PartitionCount - 1}")
                : [.. Enumerable.Range(0, details.Topic.PartitionCount)];
            if (parse.GetValue(offset) is not null && parse.GetValue(partition) is null && partitions.Length > 1)
            {
                throw new CliException(ExitCodes.Usage, "--offset needs --partition when the topic has more than one partition");
            }

            var config = new ConsumerConfig
            {
                GroupId = groupId,
                ClientId = "orleanslog-cli",
                EnableAutoCommit = false,
                AutoOffsetReset = parse.GetValue(fromBeginning) ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
                SessionTimeout = TimeSpan.FromSeconds(10),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
            };
            using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
            await using var consumer = broker.Client.NewConsumer<byte[]?, byte[]?>(config)
                .SetPartitionsRevokedHandler((self, _) => CommitPrinted(self, output))
                .Build();

            Dictionary<TopicPartition, long>? ends = null;
            if (groupId is null)
            {
                var start = parse.GetValue(offset) ?? (parse.GetValue(fromBeginning) ? Offsets.Beginning : Offsets.End);
                consumer.Assign(partitions.Select(p => new TopicPartitionOffset(name, p, start)));
                ends = partitions.ToDictionary(p => new TopicPartition(name, p), p => details.Partitions[p].HighWatermark);
            }
            else
            {
                consumer.Subscribe(name);
            }

            var following = parse.GetValue(follow);
            var limit = parse.GetValue(max) ?? long.MaxValue;
            var idleLimit = TimeSpan.FromMilliseconds(parse.GetValue(timeout));
            var withMetadata = parse.GetValue(printMetadata);
            long printed = 0;
            var lastRecord = DateTime.UtcNow;
            var lastCommit = DateTime.UtcNow;
            while (printed < limit && !cancellationToken.IsCancellationRequested)
            {
                if (!following && ends is not null && ends.All(end => consumer.Position(end.Key) is var at && at >= 0 && at >= end.Value))
                {
                    break;
                }

                if (consumer.Assignment.Count == 0)
                {
                    // Idle time counts from when the group gave this member partitions, not from the join.
                    lastRecord = DateTime.UtcNow;
                }

                var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (record is not null)
                {
                    Print(record, withMetadata, output);
                    printed++;
                    lastRecord = DateTime.UtcNow;
                }
                else if (!following && groupId is not null && DateTime.UtcNow - lastRecord >= idleLimit)
                {
                    break;
                }

                if (groupId is not null && DateTime.UtcNow - lastCommit >= CommitInterval)
                {
                    CommitPrinted(consumer, output);
                    lastCommit = DateTime.UtcNow;
                }
            }

            if (groupId is not null)
            {
                CommitPrinted(consumer, output);
            }

            await output.FlushAsync(CancellationToken.None);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Flushes what was printed, then commits it: a commit never covers a record that might not have reached stdout.</summary>
    private static void CommitPrinted(Consumer<byte[]?, byte[]?> consumer, StreamWriter output)
    {
        output.Flush();
        try
        {
            consumer.Commit();
        }
        catch (OrleansLogException e) when (e.Code is ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.RebalanceInProgress)
        {
            // The partitions moved on before this commit: their new owner starts from the last commit and prints again.
        }
    }

    private static void Print(ConsumeResult<byte[]?, byte[]?> record, bool withMetadata, TextWriter output)
    {
        if (withMetadata)
        {
            var key = record.Message.Key is { } bytes ? Encoding.UTF8.GetString(bytes) : "null";
            output.Write(string.Create(CultureInfo.InvariantCulture, $"{record.Partition}\t{record.Offset}\t{record.Message.Timestamp}\t{key}\t"));
        }

        output.WriteLine(record.Message.Value is { } value ? Encoding.UTF8.GetString(value) : "null");
    }
}
