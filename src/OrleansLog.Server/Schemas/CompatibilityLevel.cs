namespace OrleansLog.Server.Schemas;

/// <summary>Confluent's compatibility levels: what a new version must be able to do with the data of the previous one.</summary>
public static class CompatibilityLevel
{
    /// <summary>The new schema reads data written with the previous one (consumers upgrade first).</summary>
    public const string Backward = "BACKWARD";

    /// <summary>The previous schema reads data written with the new one (producers upgrade first).</summary>
    public const string Forward = "FORWARD";

    /// <summary>Both.</summary>
    public const string Full = "FULL";

    /// <summary>No check.</summary>
    public const string None = "NONE";

    public static bool IsKnown(string level) => level is Backward or Forward or Full or None;
}
