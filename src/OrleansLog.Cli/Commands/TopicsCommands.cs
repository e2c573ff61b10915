using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog topics create|list|describe|alter|delete</c>.</summary>
internal static class TopicsCommands
{
    private static readonly Argument<string> Name = new("name") { Description = "The topic name." };

    public static Command Build() => new("topics", "Create, list, describe, alter and delete topics.")
    {
        Create(), List(), Describe(), Alter(), Delete(), ElectLeaders(),
    };

    private static Command Create()
    {
        var partitions = new Option<int>("--partitions", "-p") { Description = "Number of partitions.", DefaultValueFactory = _ => 1 };
        var replication = new Option<short>("--replication-factor", "-r") { Description = "Replicas per partition, on distinct brokers (-1: the broker's default).", DefaultValueFactory = _ => -1 };
        var config = ConfigOption("Topic config as key=value (repeatable), e.g. retention.ms=86400000.");
        var command = new Command("create", "Create a topic.") { Name, partitions, replication, config };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var topic = await broker.Admin.CreateTopicAsync(parse.GetValue(Name)!, parse.GetValue(partitions), parse.GetValue(replication), ParseConfigs(parse.GetValue(config)));
            Console.WriteLine($"Created topic {topic.Name} with {topic.PartitionCount} partitions and replication factor {topic.ReplicationFactor}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List topic names.");
        command.SetBrokerAction(async (_, broker, _) =>
        {
            foreach (var topic in await broker.Admin.ListTopicsAsync())
            {
                Console.WriteLine(topic.Name);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe()
    {
        var command = new Command("describe", "Show a topic's id, configs, and each partition's offsets and size.") { Name };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var details = await broker.Admin.DescribeTopicAsync(parse.GetValue(Name)!);
            TopicPrinter.Print(details, Console.Out);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Alter()
    {
        var partitions = new Option<int?>("--partitions", "-p") { Description = "Grow the topic to this many partitions (never fewer)." };
        var config = ConfigOption("Set a config as key=value (repeatable).");
        var deleteConfig = new Option<string[]>("--delete-config") { Description = "Remove a config override (repeatable).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("alter", "Add partitions or change configs.") { Name, partitions, config, deleteConfig };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var name = parse.GetValue(Name)!;
            var changes = ParseConfigs(parse.GetValue(config)).ToImmutableDictionary(kv => kv.Key, kv => (string?)kv.Value);
            foreach (var key in parse.GetValue(deleteConfig) ?? [])
            {
                changes = changes.SetItem(key, null);
            }

            if (parse.GetValue(partitions) is null && changes.IsEmpty)
            {
                throw new CliException(ExitCodes.Usage, "nothing to alter: give --partitions, --config or --delete-config");
            }

            if (parse.GetValue(partitions) is { } count)
            {
                var grown = await broker.Admin.CreatePartitionsAsync(name, count);
                Console.WriteLine($"Topic {name} now has {grown.PartitionCount} partitions.");
            }

            if (!changes.IsEmpty)
            {
                await broker.Admin.AlterTopicConfigsAsync(name, changes);
                Console.WriteLine($"Updated {changes.Count} config(s) of topic {name}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete()
    {
        var command = new Command("delete", "Delete a topic and all its data.") { Name };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            await broker.Admin.DeleteTopicAsync(parse.GetValue(Name)!);
            Console.WriteLine($"Deleted topic {parse.GetValue(Name)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ElectLeaders()
    {
        var topic = new Argument<string?>("name") { Description = "Only this topic (default: every topic).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("elect-leaders", "Move leadership back to each partition's preferred replica where it is alive and in sync.") { topic };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var moved = await broker.Admin.ElectPreferredLeadersAsync(parse.GetValue(topic));
            Console.WriteLine(moved == 1 ? "Moved the leader of 1 partition to its preferred replica." : $"Moved the leaders of {moved} partitions to their preferred replicas.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<string[]> ConfigOption(string description) => new("--config", "-c") { Description = description, AllowMultipleArgumentsPerToken = false };

    private static ImmutableDictionary<string, string> ParseConfigs(string[]? pairs)
    {
        var configs = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException(ExitCodes.Usage, $"--config \"{pair}\" is not key=value");
            }

            configs[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        return configs.ToImmutable();
    }
}
