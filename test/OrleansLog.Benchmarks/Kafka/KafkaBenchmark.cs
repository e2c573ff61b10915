using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using ClientConfig = Confluent.Kafka.ClientConfig;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Client;
using NativeConsumerConfig = OrleansLog.Client.Consuming.ConsumerConfig;
using NativeDeserializers = OrleansLog.Client.Serialization.Deserializers;
using NativeNull = OrleansLog.Client.Serialization.Null;
using NativeProducerConfig = OrleansLog.Client.Producing.ProducerConfig;
using NativeSerializers = OrleansLog.Client.Serialization.Serializers;

namespace OrleansLog.Benchmarks.Kafka;

/// <summary>
/// The Kafka listener against the native client on the same broker, in the same run: one broker (silo and
/// clients in this process, over loopback TCP), 1 KiB records, 8 partitions, durable topics. Each side
/// produces the same number of records as fast as it can (acks=all, idempotent, 5 ms linger, each client's
/// default batch size: 128 KiB native, librdkafka's 1,000,000 bytes), then reads them all back from the beginning. The native client is the baseline: the ratios say what the Kafka
/// protocol's path (frames, codecs, the listener's grain calls) costs or gains.
/// <para>
/// With <c>--tls</c>, the broker also has a SASL_SSL listener (a test CA's ECDSA P-256 certificate, SCRAM-SHA-512) and
/// authorization on, with ACLs allowing both clients: Confluent.Kafka then runs over PLAINTEXT and over SASL_SSL in the
/// same run, and the SASL_SSL figures are ratios to the PLAINTEXT ones (what TLS and SASL cost).
/// </para>
/// </summary>
internal sealed class KafkaBenchmark(string directory, bool quick, bool tls = false)
{
    private const int RecordSize = 1024;
    private const int Partitions = 8;

    /// <summary>The SASL_SSL client's principal and the PLAINTEXT client's.</summary>
    private static readonly string[] BenchPrincipals = ["User:bench", "User:ANONYMOUS"];

    private int Records => quick ? 20_000 : 300_000;

    public async Task<List<BenchmarkResult>> RunAsync()
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"kafka benchmark in {directory} ({(quick ? "quick" : "full")}): {Records:N0} records of {RecordSize} B, {Partitions} partitions, acks=all, idempotent");
        var kafkaPort = Benchmarks.FreePort();
        var tlsPort = Benchmarks.FreePort();
        using var certificates = tls ? new Testing.TestCertificates(Path.Combine(directory, "pki")) : null;
        await using var broker = await LocalBroker.StartAsync(Path.Combine(directory, "broker"), Benchmarks.FreePort(), Benchmarks.FreePort(), kafkaPort, certificates is null ? null : TlsSettings(certificates, kafkaPort, tlsPort), certificates is null ? null : (AdminUser, AdminPassword));
        var client = new OrleansLogClient(broker.Grains);
        var bootstrap = $"127.0.0.1:{kafkaPort}";
        await client.Admin.CreateTopicAsync("bench-native", Partitions);
        await client.Admin.CreateTopicAsync("bench-kafka", Partitions);
        if (certificates is not null)
        {
            await client.Admin.CreateTopicAsync("bench-kafka-tls", Partitions);
            await client.Admin.SetScramCredentialAsync("bench", "SCRAM-SHA-512", "bench-secret");
            await client.Admin.CreateAclsAsync(
            [
                .. BenchPrincipals.SelectMany(principal => new[]
                {
                    new Security.AclBinding(Security.AclResourceType.Topic, "bench-", Security.AclPatternType.Prefixed, principal, "*", Security.AclOperation.All, Security.AclPermissionType.Allow),
                    new Security.AclBinding(Security.AclResourceType.Group, "bench", Security.AclPatternType.Literal, principal, "*", Security.AclOperation.All, Security.AclPermissionType.Allow),
                    new Security.AclBinding(Security.AclResourceType.Cluster, Security.AclBinding.ClusterName, Security.AclPatternType.Literal, principal, "*", Security.AclOperation.IdempotentWrite, Security.AclPermissionType.Allow),
                }),
            ]);

            // Read at once, not at the next refresh.
            await broker.SiloServices.GetRequiredService<Server.Security.AclCache>().RefreshAsync();
        }

        var results = new List<BenchmarkResult>();
        var nativeProduce = await ProduceNative(client, "bench-native");
        var native = Report(new BenchmarkResult("kafka", "native client: produce (baseline)", Records, (long)Records * RecordSize, nativeProduce, "-", 0));
        results.Add(native);
        var kafkaProduce = ProduceKafka(bootstrap, "bench-kafka");
        results.Add(Report(new BenchmarkResult("kafka", "Confluent.Kafka via the listener: produce", Records, (long)Records * RecordSize, kafkaProduce, "native produce", native.MegabytesPerSecond)));

        var nativeConsume = ConsumeNative(client, "bench-native");
        var nativeRead = Report(new BenchmarkResult("kafka", "native client: consume from the beginning (baseline)", Records, (long)Records * RecordSize, nativeConsume, "-", 0));
        results.Add(nativeRead);
        var kafkaConsume = ConsumeKafka(bootstrap, "bench-kafka");
        var kafkaRead = Report(new BenchmarkResult("kafka", "Confluent.Kafka via the listener: consume from the beginning", Records, (long)Records * RecordSize, kafkaConsume, "native consume", nativeRead.MegabytesPerSecond));
        results.Add(kafkaRead);
        if (certificates is not null)
        {
            var plaintextProduce = results[1];
            var secure = $"127.0.0.1:{tlsPort}";
            results.Add(Report(new BenchmarkResult("kafka", "Confluent.Kafka over SASL_SSL (SCRAM-SHA-512): produce", Records, (long)Records * RecordSize, ProduceKafka(Secure(certificates, secure), "bench-kafka-tls"), "PLAINTEXT produce", plaintextProduce.MegabytesPerSecond)));
            results.Add(Report(new BenchmarkResult("kafka", "Confluent.Kafka over SASL_SSL (SCRAM-SHA-512): consume from the beginning", Records, (long)Records * RecordSize, ConsumeKafka(Secure(certificates, secure), "bench-kafka-tls"), "PLAINTEXT consume", kafkaRead.MegabytesPerSecond)));
        }

        results.AddRange(await SmallRecordsAsync(client, bootstrap));
        return results;
    }

    /// <summary>100-byte records from one partition: kcat's read rate (the baseline), then Confluent.Kafka's consumer on the same data.</summary>
    private async Task<List<BenchmarkResult>> SmallRecordsAsync(OrleansLogClient client, string bootstrap)
    {
        const string topic = "bench-small";
        await client.Admin.CreateTopicAsync(topic, 1);
        var small = new SmallRecordReads(bootstrap, quick);
        small.Fill(topic);
        var bytes = (long)small.Records * SmallRecordReads.RecordSize;
        var kcat = Report(new BenchmarkResult("kafka", "kcat: 100 B records, 1 partition, consume (baseline)", small.Records, bytes, await small.ReadWithKcatAsync(topic), "-", 0));
        var confluent = Report(new BenchmarkResult("kafka", "Confluent.Kafka: 100 B records, 1 partition, consume", small.Records, bytes, small.ReadWithConfluent(topic), "kcat consume", kcat.MegabytesPerSecond));
        return [kcat, confluent];
    }

    private const string AdminUser = "bench-admin";
    private const string AdminPassword = "bench-admin-secret";

    /// <summary>A PLAINTEXT and a SASL_SSL listener with the test CA's certificate; authorization is on, as with any SASL listener.</summary>
    private static Dictionary<string, string?> TlsSettings(Testing.TestCertificates certificates, int plainPort, int tlsPort)
    {
        var (certificate, key) = certificates.IssueServer();
        return new()
        {
            ["OrleansLog:Kafka:Listeners"] = $"PLAINTEXT://127.0.0.1:{plainPort},SASL_SSL://127.0.0.1:{tlsPort}",
            ["OrleansLog:Tls:CertificatePath"] = certificate,
            ["OrleansLog:Tls:KeyPath"] = key,

            // Authorization is on: the native client signs in as the bootstrap super user to set up topics, users and ACLs.
            ["OrleansLog:Bootstrap:User"] = AdminUser,
            ["OrleansLog:Bootstrap:Password"] = AdminPassword,
        };
    }

    /// <summary>The client settings for the SASL_SSL listener; a new one each time, as Confluent.Kafka's producer and consumer configs write into the one they are made from.</summary>
    private static ClientConfig Secure(Testing.TestCertificates certificates, string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = "bench",
        SaslPassword = "bench-secret",
        SslCaLocation = certificates.CaPath,
    };

    private async Task<double> ProduceNative(OrleansLogClient client, string topic)
    {
        long started;
        var value = new byte[RecordSize];
        await using (var producer = client.NewProducer<NativeNull?, byte[]>(new NativeProducerConfig { ClientId = "bench", EnableIdempotence = true }).SetKeySerializer(NativeSerializers.Null).Build())
        {
            // One record before the clock starts, as on the Kafka side: producer id and partition leaders are known then.
            await producer.ProduceAsync(topic, new OrleansLog.Client.Message<NativeNull?, byte[]> { Value = value });
            started = Stopwatch.GetTimestamp();
            for (var i = 0; i < Records; i++)
            {
                producer.Produce(topic, new OrleansLog.Client.Message<NativeNull?, byte[]> { Value = value });
            }

            await producer.FlushAsync();
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private double ProduceKafka(string bootstrap, string topic) => ProduceKafka(new ClientConfig { BootstrapServers = bootstrap }, topic);

    private double ProduceKafka(ClientConfig connection, string topic)
    {
        var value = new byte[RecordSize];
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig(connection)
        {
            ClientId = "bench",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();

        // Connect and learn the leaders before the clock starts, as the native client's first call does.
        producer.Produce(topic, new Confluent.Kafka.Message<Null, byte[]> { Value = value });
        producer.Flush(TimeSpan.FromSeconds(30));
        var started = Stopwatch.GetTimestamp();
        var failed = KafkaProduceLoop.ProduceAll(producer, topic, Records, value);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return failed == 0 ? seconds : throw new InvalidOperationException($"{failed} Kafka produces failed.");
    }

    private double ConsumeNative(OrleansLogClient client, string topic)
    {
        using var consumer = client.NewConsumer<NativeNull?, byte[]?>(new NativeConsumerConfig { ClientId = "bench" }).SetKeyDeserializer(NativeDeserializers.Null).SetValueDeserializer(NativeDeserializers.ByteArray).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new OrleansLog.Client.TopicPartitionOffset(topic, p, OrleansLog.Client.Offsets.Beginning)));
        var started = Stopwatch.GetTimestamp();

        // The topic holds one record more: the warm-up record produced before the clock started.
        for (var read = 0; read < Records + 1;)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(10)) is null)
            {
                throw new InvalidOperationException($"The native consumer stopped after {read} of {Records + 1} records.");
            }

            read++;
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private double ConsumeKafka(string bootstrap, string topic) => ConsumeKafka(new ClientConfig { BootstrapServers = bootstrap }, topic);

    private double ConsumeKafka(ClientConfig connection, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig(connection) { GroupId = "bench", ClientId = "bench", EnableAutoCommit = false }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, Offset.Beginning)));
        var started = Stopwatch.GetTimestamp();

        // The topic holds one record more: the warm-up record produced before the clock started.
        for (var read = 0; read < Records + 1;)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(10)) is null)
            {
                throw new InvalidOperationException($"The Kafka consumer stopped after {read} of {Records + 1} records.");
            }

            read++;
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static BenchmarkResult Report(BenchmarkResult result)
    {
        BenchmarkReport.PrintLine(result);
        return result;
    }
}
