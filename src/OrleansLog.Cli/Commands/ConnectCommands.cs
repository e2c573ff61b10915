using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansLog.Cli.Connection;
using OrleansLog.Connect;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>orleanslog connect list|create|status|pause|resume|stop|restart|delete</c>: the cluster's connectors, through the
/// same grains as Kafka Connect's REST API on the broker's HTTP port.
/// </summary>
internal static class ConnectCommands
{
    private static readonly Argument<string> Name = new("name") { Description = "The connector's name." };

    public static Command Build() => new("connect", "Create, inspect and control connectors (sources and sinks run by the brokers).")
    {
        List(),
        Create(),
        Status(),
        Target("pause", "Pause a connector's tasks.", ConnectTargetState.Paused),
        Target("resume", "Resume a paused or stopped connector.", ConnectTargetState.Running),
        Target("stop", "Stop a connector's tasks, keeping its configuration.", ConnectTargetState.Stopped),
        Restart(),
        Delete(),
    };

    private static Command List()
    {
        var command = new Command("list", "List connectors with their type, state and running tasks.");
        command.SetBrokerAction(async (_, broker, _) =>
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"NAME",-32}{"TYPE",-8}{"STATE",-10}TASKS"));
            foreach (var name in await broker.Grains.GetGrain<IConnectClusterGrain>(IConnectClusterGrain.ClusterKey).List())
            {
                if (await broker.Grains.GetGrain<IConnectorGrain>(name).Status() is { IsError: false, Value: { } status })
                {
                    var running = status.Tasks.Count(t => t.State == ConnectStates.Running);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32}{status.Type,-8}{status.Connector.State,-10}{running}/{status.Tasks.Length} running"));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Create()
    {
        var config = new Option<string[]>("--config", "-c") { Description = "A setting as key=value (repeatable), e.g. -c connector.class=FileStreamSource.", AllowMultipleArgumentsPerToken = false };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Settings from a file: a JSON object, or key=value lines (Java properties)." };
        var replace = new Option<bool>("--replace") { Description = "Replace the configuration of an existing connector instead of refusing." };
        var command = new Command("create", "Create a connector (its configuration is validated first; every error is printed).") { Name, config, file, replace };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var settings = ReadSettings(parse.GetValue(file), parse.GetValue(config) ?? []);
            var answer = await broker.Grains.GetGrain<IConnectorGrain>(parse.GetValue(Name)!).Put(settings, createOnly: !parse.GetValue(replace));
            var info = Require(answer);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Connector {info.Name} ({info.Type}) configured with {info.Tasks.Length} task(s)."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Show a connector's state and each task's state, silo and failure.") { Name };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var status = Require(await broker.Grains.GetGrain<IConnectorGrain>(parse.GetValue(Name)!).Status());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Connector: {status.Name}\tType: {status.Type}\tState: {status.Connector.State}\tWorker: {status.Connector.WorkerId}"));
            foreach (var task in status.Tasks)
            {
                var failure = task.Trace is { } trace ? "\t" + trace.Split('\n', 2)[0].Trim() : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Task {task.Id}\t{task.State}\t{task.WorkerId}{failure}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Target(string verb, string description, ConnectTargetState target)
    {
        var command = new Command(verb, description) { Name };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var status = Require(await broker.Grains.GetGrain<IConnectorGrain>(parse.GetValue(Name)!).SetTarget(target));
            Console.WriteLine($"Connector {status.Name} is {status.Connector.State}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Restart()
    {
        var task = new Option<int?>("--task") { Description = "Restart only this task." };
        var includeTasks = new Option<bool>("--include-tasks") { Description = "Restart the connector's tasks too." };
        var onlyFailed = new Option<bool>("--only-failed") { Description = "With --include-tasks: only the failed tasks." };
        var command = new Command("restart", "Restart a connector, its tasks, or one task.") { Name, task, includeTasks, onlyFailed };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var connector = broker.Grains.GetGrain<IConnectorGrain>(parse.GetValue(Name)!);
            if (parse.GetValue(task) is { } number)
            {
                var restarted = Require(await connector.RestartTask(number));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Task {restarted.Id} restarted: {restarted.State}."));
            }
            else
            {
                var status = Require(await connector.Restart(parse.GetValue(includeTasks), parse.GetValue(onlyFailed)));
                Console.WriteLine($"Connector {status.Name} restarted.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete()
    {
        var command = new Command("delete", "Stop a connector's tasks and delete it (its offsets stay).") { Name };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            Require(await broker.Grains.GetGrain<IConnectorGrain>(parse.GetValue(Name)!).Delete());
            Console.WriteLine($"Connector {parse.GetValue(Name)} deleted.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static T Require<T>(ConnectAnswer<T> answer) =>
        answer.IsError ? throw new CliException(ExitCodes.Refused, answer.Message!.Replace("\n", "; ", StringComparison.Ordinal)) : answer.Value!;

    /// <summary>The settings of a file (JSON object or key=value lines) with the -c settings over them.</summary>
    private static ImmutableSortedDictionary<string, string> ReadSettings(FileInfo? file, IEnumerable<string> settings)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (file is not null)
        {
            if (!file.Exists)
            {
                throw new CliException(ExitCodes.BadInput, $"{file.FullName} does not exist");
            }

            var text = File.ReadAllText(file.FullName);
            if (text.TrimStart().StartsWith('{'))
            {
                try
                {
                    using var document = JsonDocument.Parse(text);
                    var root = document.RootElement.TryGetProperty("config", out var nested) ? nested : document.RootElement;
                    foreach (var property in root.EnumerateObject())
                    {
                        result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    }
                }
                catch (JsonException e)
                {
                    throw new CliException(ExitCodes.BadInput, $"{file.Name} is not JSON: {e.Message}");
                }
            }
            else
            {
                foreach (var line in text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not '#' and not '!'))
                {
                    AddSetting(result, line, file.Name);
                }
            }
        }

        foreach (var setting in settings)
        {
            AddSetting(result, setting, "--config");
        }

        return result.ToImmutable();
    }

    private static void AddSetting(ImmutableSortedDictionary<string, string>.Builder settings, string setting, string source)
    {
        var equals = setting.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new CliException(ExitCodes.BadInput, $"{source}: \"{setting}\" is not key=value");
        }

        settings[setting[..equals].Trim()] = setting[(equals + 1)..].Trim();
    }
}
