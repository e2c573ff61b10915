using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog brokers list</c>.</summary>
internal static class BrokersCommands
{
    public static Command Build() => new("brokers", "Show the cluster's brokers.") { List() };

    private static Command List()
    {
        var command = new Command("list", "List brokers with their silo address and whether they are alive.");
        command.SetBrokerAction(async (_, broker, _) =>
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"Broker",-8}{"State",-8}Silo"));
            foreach (var b in await broker.Admin.ListBrokersAsync())
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{b.Id,-8}{(b.IsAlive ? "alive" : "dead"),-8}{b.Silo}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
