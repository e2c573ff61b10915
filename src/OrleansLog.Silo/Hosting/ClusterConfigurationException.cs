namespace OrleansLog.Silo.Hosting;

/// <summary>A cluster setting (or another read before the host is built) that cannot work; the broker prints the message and exits without starting.</summary>
public sealed class ClusterConfigurationException(string message) : Exception(message);
