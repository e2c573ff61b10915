using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Postgres;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog db migrate</c>: creates or updates the cluster-mode schema in PostgreSQL.</summary>
internal static class DbCommands
{
    public static Command Build() => new("db", "Manage the PostgreSQL database of a cluster (AdoNet or Kubernetes mode).") { Migrate() };

    private static Command Migrate()
    {
        var connection = new Option<string?>("--connection", "-c")
        {
            Description = "The PostgreSQL connection string (default: ORLEANSLOG_CONNECTION or ConnectionStrings__OrleansLog).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSLOG_CONNECTION") is { Length: > 0 } env ? env
                : Environment.GetEnvironmentVariable("ConnectionStrings__OrleansLog"),
        };
        var command = new Command("migrate", "Apply the schema scripts (tables and the Orleans query registry); safe to run again on every deploy.") { connection };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connectionString = parse.GetValue(connection);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await Console.Error.WriteLineAsync("error: no connection string: pass --connection or set ORLEANSLOG_CONNECTION");
                return ExitCodes.Usage;
            }

            IReadOnlyList<MigrationStep> steps;
            try
            {
                steps = await PostgresSchema.MigrateAsync(connectionString, cancellationToken);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"error: the connection string is not valid: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Npgsql.NpgsqlException e)
            {
                await Console.Error.WriteLineAsync($"error: the migration failed, nothing was changed: {e.Message}");
                return e is Npgsql.PostgresException ? ExitCodes.Refused : ExitCodes.Unreachable;
            }

            foreach (var step in steps)
            {
                Console.WriteLine($"{step.Outcome.ToString().ToLowerInvariant(),-10}{step.Script}");
            }

            Console.WriteLine($"The schema is up to date ({steps.Count} scripts).");
            return ExitCodes.Ok;
        });
        return command;
    }
}
