namespace OrleansLog.Server.Metadata;

/// <summary>What a probe of a silent silo found (<see cref="SiloGoneProbe"/>).</summary>
public enum SiloProbeFinding
{
    /// <summary>Nothing within the probe's time: a paused or overloaded process, or a slow network.</summary>
    Unproven,

    /// <summary>Its process is gone: its port refuses connections, or Orleans cannot reach it.</summary>
    Gone,

    /// <summary>Its silo answered: the process runs, so its silence is its heartbeats going astray, not its death.</summary>
    Answered,
}
