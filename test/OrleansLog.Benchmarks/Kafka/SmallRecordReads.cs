using System.Diagnostics;
using Confluent.Kafka;

namespace OrleansLog.Benchmarks.Kafka;

/// <summary>
/// Reading 100-byte records from one partition through the Kafka listener: Confluent.Kafka's .NET consumer
/// against kcat on the same data, in the same run. Both are librdkafka with its default fetch settings
/// (<c>fetch.max.bytes</c>, <c>queued.min.messages</c> and the rest), so the broker receives the same fetch
/// requests and sends the same answers to each: a rate gap between them is the cost of the .NET binding's
/// per-message work (a managed <c>ConsumeResult</c> and copy per record), not of the broker.
/// </summary>
internal sealed class SmallRecordReads(string bootstrap, bool quick)
{
    public const int RecordSize = 100;

    public int Records => quick ? 200_000 : 2_000_000;

    /// <summary>Fills <paramref name="topic"/> (one partition) with <see cref="Records"/> records of <see cref="RecordSize"/> bytes.</summary>
    public void Fill(string topic)
    {
        var value = new byte[RecordSize];
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();
        var failed = KafkaProduceLoop.ProduceAll(producer, topic, Records, value);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {Records} small records were not written.");
        }
    }

    /// <summary>kcat reads the partition from the beginning and exits at its end; returns the wall time in seconds.</summary>
    public async Task<double> ReadWithKcatAsync(string topic)
    {
        var start = new ProcessStartInfo("kcat")
        {
            ArgumentList = { "-C", "-b", bootstrap, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o\n" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var started = Stopwatch.GetTimestamp();
        using var kcat = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start.");
        var errors = kcat.StandardError.ReadToEndAsync();

        // Counts the records it printed (one offset a line) rather than trusting its exit code alone.
        long lines = 0;
        var buffer = new char[1 << 16];
        int read;
        while ((read = await kcat.StandardOutput.ReadAsync(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count('\n');
        }

        await kcat.WaitForExitAsync();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (kcat.ExitCode != 0 || lines != Records)
        {
            throw new InvalidOperationException($"kcat read {lines} of {Records} records (exit {kcat.ExitCode}): {await errors}");
        }

        return seconds;
    }

    /// <summary>Confluent.Kafka's consumer reads the partition from the beginning, every record's value materialized as the application would get it.</summary>
    public double ReadWithConfluent(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-small", EnableAutoCommit = false }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var started = Stopwatch.GetTimestamp();
        for (var read = 0; read < Records; read++)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(10)) is null)
            {
                throw new InvalidOperationException($"The Kafka consumer stopped after {read} of {Records} small records.");
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
