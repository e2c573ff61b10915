namespace OrleansLog.Connect;

/// <summary>What a user asked a connector to be (Kafka Connect's target state): running, paused (tasks kept, idle), or stopped (no tasks, configuration kept).</summary>
[GenerateSerializer]
public enum ConnectTargetState
{
    Running,
    Paused,
    Stopped,
}
