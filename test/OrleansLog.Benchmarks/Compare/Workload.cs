using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// One workload file (OpenMessaging Benchmark's fields and names, plus <c>replicationFactor</c> and
/// <c>acks</c>, which OMB leaves to each driver's own configuration). Loaded from <c>Workloads/*.yaml</c>.
/// </summary>
public sealed class Workload
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();

    public string Name { get; set; } = "";

    public int Topics { get; set; } = 1;

    public int PartitionsPerTopic { get; set; } = 1;

    public int MessageSize { get; set; } = 1024;

    public int SubscriptionsPerTopic { get; set; } = 1;

    public int ConsumerPerSubscription { get; set; } = 1;

    public int ProducersPerTopic { get; set; } = 1;

    /// <summary>Messages per second over all producers; 0 is as fast as the driver acknowledges.</summary>
    public int ProducerRate { get; set; }

    /// <summary>A backlog written before any consumer reads (then drained and timed); 0 is none.</summary>
    public double ConsumerBacklogSizeGB { get; set; }

    public int ReplicationFactor { get; set; } = 1;

    /// <summary>"all" (every in-sync replica) or "1" (the leader alone).</summary>
    public string Acks { get; set; } = "all";

    /// <summary>OMB's key distributor: <c>NO_KEY</c>, <c>KEY_ROUND_ROBIN</c> or <c>RANDOM_NANO</c> (see <see cref="MessageKeys"/>).</summary>
    public string KeyDistributor { get; set; } = MessageKeys.NoKey;

    public double TestDurationMinutes { get; set; } = 1;

    public double WarmupDurationMinutes { get; set; }

    public TimeSpan Duration => TimeSpan.FromMinutes(TestDurationMinutes);

    public TimeSpan WarmUp => TimeSpan.FromMinutes(WarmupDurationMinutes);

    public long BacklogBytes => (long)(ConsumerBacklogSizeGB * 1_000_000_000);

    public bool IsBacklog => BacklogBytes > 0;

    /// <summary>Every workload file, in report order: single copies first, maximum rates before fixed rates, the backlog last.</summary>
    public static IReadOnlyList<Workload> LoadAll(string directory) =>
        [.. (Directory.Exists(directory) ? Directory.GetFiles(directory, "*.yaml") : throw new DirectoryNotFoundException($"No workload folder at {directory}.")).Select(Load)
            .OrderBy(w => w.ReplicationFactor).ThenBy(w => w.IsBacklog).ThenBy(w => w.ProducerRate > 0).ThenBy(w => w.PartitionsPerTopic).ThenBy(w => w.Name, StringComparer.Ordinal)];

    public static Workload Load(string path)
    {
        Workload? workload;
        try
        {
            workload = Yaml.Deserialize<Workload>(File.ReadAllText(path));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: {e.Message}", e);
        }

        if (workload is null)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: the file is empty.");
        }

        workload.Validate(path);
        return workload;
    }

    /// <summary>
    /// The same workload at smoke-test scale (<c>--quick</c>: seconds, not minutes, and a backlog of
    /// megabytes), or with another measured duration (<c>--duration</c>).
    /// </summary>
    public Workload Scaled(bool quick, TimeSpan? duration)
    {
        var scaled = (Workload)MemberwiseClone();
        if (quick)
        {
            scaled.TestDurationMinutes = 3.0 / 60;
            scaled.WarmupDurationMinutes = Math.Min(WarmupDurationMinutes, 1.0 / 60);
            scaled.ConsumerBacklogSizeGB = Math.Min(ConsumerBacklogSizeGB, 0.024);
        }

        if (duration is { } d)
        {
            scaled.TestDurationMinutes = d.TotalMinutes;
        }

        return scaled;
    }

    private void Validate(string path)
    {
        void Require(bool valid, string rule)
        {
            if (!valid)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)}: {rule}.");
            }
        }

        Require(Name.Length > 0, "name is required");
        Require(Topics == 1, "topics must be 1 (one topic per workload here)");
        Require(PartitionsPerTopic >= 1, "partitionsPerTopic must be at least 1");
        Require(MessageSize >= 16, "messageSize must be at least 16 bytes (the first 8 carry the send time)");
        Require(SubscriptionsPerTopic >= 1 && ConsumerPerSubscription >= 1 && ProducersPerTopic >= 1, "producers, subscriptions and consumers per subscription must each be at least 1");
        Require(ProducerRate >= 0, "producerRate must not be negative");
        Require(ReplicationFactor is 1 or 3, "replicationFactor must be 1 or 3");
        Require(Acks is "all" or "1", "acks must be all or 1");
        Require(KeyDistributor is MessageKeys.NoKey or MessageKeys.RoundRobin or MessageKeys.RandomNano, "keyDistributor must be NO_KEY, KEY_ROUND_ROBIN or RANDOM_NANO");
        Require(TestDurationMinutes > 0 && WarmupDurationMinutes >= 0, "testDurationMinutes must be positive and warmupDurationMinutes not negative");
    }
}
