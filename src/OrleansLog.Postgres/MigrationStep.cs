namespace OrleansLog.Postgres;

/// <summary>What one migration run did with one script.</summary>
public sealed record MigrationStep(string Script, MigrationOutcome Outcome);

/// <summary>Whether a script was new to the database, changed since it was last applied, or the same.</summary>
public enum MigrationOutcome
{
    Applied,
    Updated,
    Unchanged,
}
