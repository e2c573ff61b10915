namespace OrleansLog.Connect.Runtime;

/// <summary>
/// Kafka Connect's names for the step where a record failed, as its <c>__connect.errors.stage</c> dead-letter header
/// and the task's log name them.
/// </summary>
public static class ConnectStage
{
    public const string KeyConverter = "KEY_CONVERTER";
    public const string ValueConverter = "VALUE_CONVERTER";
    public const string Transformation = "TRANSFORMATION";
}
