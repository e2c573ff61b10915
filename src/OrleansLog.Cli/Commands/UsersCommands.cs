using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Connection;
using OrleansLog.Security;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog users set (or create)|delete|list</c>: the SCRAM users that SASL listeners check (Kafka's <c>kafka-configs --entity-type users</c>).</summary>
internal static class UsersCommands
{
    public static Command Build() => new("users", "Manage the users that authenticate on SASL listeners (SCRAM-SHA-256/512, and PLAIN with the same password).")
    {
        Set(),
        Delete(),
        List(),
    };

    private static readonly Option<string> Mechanism = new("--mechanism") { Description = "SCRAM-SHA-256 or SCRAM-SHA-512.", DefaultValueFactory = _ => ScramMechanism.Sha256.Name };

    private static Command Set()
    {
        var user = new Argument<string>("user") { Description = "The user name." };
        var iterations = new Option<int>("--iterations") { Description = "SCRAM iterations (4096 to 16384).", DefaultValueFactory = _ => ScramMechanism.MinIterations };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (always so: a password is never taken on the command line)." };
        var command = new Command("set", "Set a user's password for one mechanism; the password is read from the first line of standard input and never sent: only its salted keys are.")
        {
            user,
            Mechanism,
            iterations,
            passwordStdin,
        };
        command.Aliases.Add("create");
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password))
            {
                throw new CliException(ExitCodes.Usage, "give the password on standard input (echo ... | orleanslog users set NAME)");
            }

            await broker.Admin.SetScramCredentialAsync(parse.GetValue(user)!, parse.GetValue(Mechanism)!, password, parse.GetValue(iterations));
            Console.WriteLine($"Set the {parse.GetValue(Mechanism)} credential of user \"{parse.GetValue(user)}\".");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete()
    {
        var user = new Argument<string>("user") { Description = "The user name." };
        var command = new Command("delete", "Delete a user's credential for one mechanism.") { user, Mechanism };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            await broker.Admin.DeleteScramCredentialAsync(parse.GetValue(user)!, parse.GetValue(Mechanism)!);
            Console.WriteLine($"Deleted the {parse.GetValue(Mechanism)} credential of user \"{parse.GetValue(user)}\".");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List users with their mechanisms and iterations.");
        command.SetBrokerAction(async (_, broker, _) =>
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"User",-24}{"Mechanism",-16}Iterations"));
            foreach (var credential in await broker.Admin.ListScramCredentialsAsync())
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{credential.User,-24}{credential.Mechanism,-16}{credential.Iterations}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
