using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Connection;
using OrleansLog.Client.Admin;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog groups list|describe|reset-offsets|delete</c>.</summary>
internal static class GroupsCommands
{
    private static readonly Argument<string> Group = new("group") { Description = "The consumer group id." };

    public static Command Build() => new("groups", "List, describe, reset and delete consumer groups.")
    {
        List(), Describe(), ResetOffsets(), Delete(),
    };

    private static Command List()
    {
        var command = new Command("list", "List consumer group ids.");
        command.SetBrokerAction(async (_, broker, _) =>
        {
            foreach (var group in await broker.Admin.ListGroupsAsync())
            {
                Console.WriteLine(group);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe()
    {
        var command = new Command("describe", "Show a group's state, members, and per partition the committed offset, end offset and lag.") { Group };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var details = await broker.Admin.DescribeGroupAsync(parse.GetValue(Group)!);
            var group = details.Group;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Group: {group.GroupId}\tState: {group.State}\tGeneration: {group.Generation}\tAssignor: {group.Assignor ?? "-"}\tMembers: {group.Members.Length}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"TOPIC",-24}{"PARTITION",10}{"CURRENT-OFFSET",16}{"LOG-END-OFFSET",16}{"LAG",10}  MEMBER"));
            foreach (var p in details.Partitions)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Partition.Topic,-24}{p.Partition.Partition,10}{Show(p.CommittedOffset),16}{Show(p.EndOffset),16}{Show(p.Lag),10}  {p.MemberId ?? "-"}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ResetOffsets()
    {
        var topic = new Option<string>("--topic", "-t") { Description = "The topic whose offsets to reset.", Required = true };
        var partitions = new Option<int[]>("--partition") { Description = "Only these partitions (repeatable; default all).", AllowMultipleArgumentsPerToken = false };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "To the log start." };
        var toLatest = new Option<bool>("--to-latest") { Description = "To the log end." };
        var toOffset = new Option<long?>("--to-offset") { Description = "To this offset (clamped to the log)." };
        var toDatetime = new Option<string?>("--to-datetime") { Description = "To the first record at or after this time (ISO 8601, e.g. 2026-11-25T08:00:00Z)." };
        var execute = new Option<bool>("--execute") { Description = "Apply the new offsets (without it, only show them)." };
        var command = new Command("reset-offsets", "Move a group's committed offsets; the group must have no active members.") { Group, topic, partitions, toEarliest, toLatest, toOffset, toDatetime, execute };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var chosen = new List<OffsetResetSpec>();
            if (parse.GetValue(toEarliest))
            {
                chosen.Add(OffsetResetSpec.Earliest);
            }

            if (parse.GetValue(toLatest))
            {
                chosen.Add(OffsetResetSpec.Latest);
            }

            if (parse.GetValue(toOffset) is { } offset)
            {
                chosen.Add(OffsetResetSpec.ToOffset(offset));
            }

            if (parse.GetValue(toDatetime) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    throw new CliException(ExitCodes.Usage, $"--to-datetime \"{text}\" is not a date and time (use ISO 8601, e.g. 2026-11-25T08:00:00Z)");
                }

                chosen.Add(OffsetResetSpec.ToTimestamp(at.ToUnixTimeMilliseconds()));
            }

            if (chosen.Count != 1)
            {
                throw new CliException(ExitCodes.Usage, "give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime");
            }

            var only = parse.GetValue(partitions) is { Length: > 0 } list ? list : null;
            var dryRun = !parse.GetValue(execute);
            var offsets = await broker.Admin.ResetGroupOffsetsAsync(parse.GetValue(Group)!, parse.GetValue(topic)!, chosen[0], only, dryRun);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"TOPIC",-24}{"PARTITION",10}{"NEW-OFFSET",14}"));
            foreach (var o in offsets)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{o.Partition.Topic,-24}{o.Partition.Partition,10}{o.Offset,14}"));
            }

            Console.WriteLine(dryRun ? "Not applied: add --execute to apply." : "Applied.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete()
    {
        var command = new Command("delete", "Delete a group and its committed offsets; it must have no active members.") { Group };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            await broker.Admin.DeleteGroupAsync(parse.GetValue(Group)!);
            Console.WriteLine($"Deleted group {parse.GetValue(Group)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Show(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
