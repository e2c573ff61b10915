namespace OrleansLog.Connect.Config;

#pragma warning disable CA1720 // Kafka's type names, which connector users know.

/// <summary>The types of Kafka's ConfigDef, with its names (STRING, INT, LONG, DOUBLE, BOOLEAN, LIST, CLASS, PASSWORD).</summary>
public enum ConfigType
{
    String,
    Int,
    Long,
    Double,
    Boolean,
    List,
    Class,
    Password,
}

/// <summary>How much a setting matters, as Kafka's ConfigDef says it.</summary>
public enum ConfigImportance
{
    High,
    Medium,
    Low,
}
