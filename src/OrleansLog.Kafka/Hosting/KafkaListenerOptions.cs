namespace OrleansLog.Kafka.Hosting;

/// <summary>The Kafka listener's settings, bound from <c>OrleansLog:Kafka</c> (Kafka's names in comments).</summary>
public sealed class KafkaListenerOptions
{
    public const string SectionName = "OrleansLog:Kafka";

    /// <summary>Whether the broker serves the Kafka protocol at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Kafka's <c>listeners</c>: a comma-separated list of "PROTOCOL://ip:port" (PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL), each bound and
    /// advertised on its own. When unset, one PLAINTEXT listener on <see cref="ListenAddress"/>:<see cref="Port"/>.
    /// </summary>
    public string? Listeners { get; set; }

    /// <summary>SASL settings for SASL listeners (<c>OrleansLog:Kafka:Sasl</c>).</summary>
    public SaslOptions Sasl { get; set; } = new();

    /// <summary>The address the listener binds when <see cref="Listeners"/> is unset: 0.0.0.0 for every interface.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>The port the listener binds and advertises when <see cref="Listeners"/> is unset.</summary>
    public int Port { get; set; } = 9092;

    /// <summary>The host clients are told to connect to (<c>advertised.listeners</c>); by default the bound address, or the silo's address when bound to every interface.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The largest request frame accepted (<c>socket.request.max.bytes</c>); a larger one closes the connection.</summary>
    public int MaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>
    /// Connections the listener keeps open at once (Kafka's <c>max.connections</c>); one more is closed at
    /// once with a logged line. Finite by default (Kafka's is unlimited): each connection costs a file
    /// descriptor and buffers, and the broker's descriptors are shared with its segments.
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Connections from one IP address at once (Kafka's <c>max.connections.per.ip</c>; finite by default, unlike Kafka's).</summary>
    public int MaxConnectionsPerIp { get; set; } = 1_000;

    /// <summary>A connection that sends nothing for this long while no answer is due is closed (Kafka's <c>connections.max.idle.ms</c>, 10 minutes).</summary>
    public TimeSpan ConnectionsMaxIdle { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A client that has begun a request frame must finish sending it within this time, or its connection is closed.</summary>
    public TimeSpan FrameReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Bytes of request frames the broker holds at once over all connections, queued or being handled
    /// (Kafka's <c>queued.max.request.bytes</c>; finite by default, unlike Kafka's): a connection whose next
    /// frame would pass it stops reading until enough is answered, so its client waits; nothing is dropped.
    /// </summary>
    public long QueuedMaxRequestBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Requests of one connection handled at once; their responses still go out in order.</summary>
    public int MaxInFlightRequestsPerConnection { get; set; } = 16;

    /// <summary>Whether a Metadata request (or a produce) for an unknown topic creates it (<c>auto.create.topics.enable</c>).</summary>
    public bool AutoCreateTopics { get; set; } = true;

    /// <summary>Partitions of an automatically created topic (<c>num.partitions</c>).</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>The listeners to bind: <see cref="Listeners"/> parsed (checked by the validator), or the single PLAINTEXT one.</summary>
    public IReadOnlyList<KafkaListenerEndpoint> Endpoints() =>
        Listeners is { Length: > 0 } listeners
            ? KafkaListenerEndpoint.TryParse(listeners, out _) ?? throw new InvalidOperationException("OrleansLog:Kafka:Listeners was not validated.")
            : [new KafkaListenerEndpoint(KafkaListenerEndpoint.Plaintext, System.Net.IPAddress.Parse(ListenAddress), Port)];
}

/// <summary>SASL on the Kafka listener (Kafka's names in comments).</summary>
public sealed class SaslOptions
{
    /// <summary>Mechanisms offered on SASL listeners (<c>sasl.enabled.mechanisms</c>): SCRAM-SHA-256, SCRAM-SHA-512, PLAIN, and OAUTHBEARER (with <c>OrleansLog:OAuth</c> set).</summary>
    public List<string> Mechanisms { get; set; } = ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"];

    /// <summary>How long a failed authentication waits before its answer (<c>connection.failed.authentication.delay.ms</c>), so that guessing is slow.</summary>
    public TimeSpan FailedAuthenticationDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long an authenticated session lasts (<c>connections.max.reauth.ms</c>, KIP-368); 0, as Kafka's default, for ever.
    /// Clients that know SaslAuthenticate v1 authenticate again on the same connection before it ends; a client that
    /// sends a request after it ends without doing so is disconnected, so a deleted user or a changed password is not
    /// served past this.
    /// </summary>
    public TimeSpan MaxReauth { get; set; } = TimeSpan.Zero;
}
