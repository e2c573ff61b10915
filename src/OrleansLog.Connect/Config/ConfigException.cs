namespace OrleansLog.Connect.Config;

/// <summary>A configuration that cannot be used, with what is wrong with it (a connector's task fails with it).</summary>
public sealed class ConfigException(string message) : Exception(message);
