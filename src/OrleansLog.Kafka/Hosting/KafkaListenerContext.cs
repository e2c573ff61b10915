namespace OrleansLog.Kafka.Hosting;

/// <summary>
/// What every handler needs to know of the broker it runs in: the grains, its id, its cluster's id, each listener's
/// advertised host and port (by listener name), the listener settings, the broker's clock, its ACLs and its audit trail.
/// </summary>
public sealed record KafkaListenerContext(
    IGrainFactory Grains,
    int BrokerId,
    string ClusterId,
    IReadOnlyDictionary<string, (string Host, int Port)> Advertised,
    KafkaListenerOptions Options,
    TimeProvider Time,
    Server.Security.AclCache Acls,
    Server.Security.Audit.AuditLog Audit);
