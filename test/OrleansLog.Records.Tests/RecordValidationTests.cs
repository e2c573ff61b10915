using OrleansLog.Testing;

namespace OrleansLog.Records.Tests;

/// <summary>Every rule of the record walk, on batches whose outer CRC is right: only the walk can refuse them.</summary>
public class RecordValidationTests
{
    private const long Now = 1_780_000_000_000;

    private static readonly RecordLimits Kafka = new(RecordLimits.DefaultMaxUncompressedBytes, Now, long.MaxValue, 60 * 60 * 1000);

    public static TheoryData<string> Cases => [.. ForgedBatches.Cases.Select(c => c.Name)];

    [Fact]
    public void Well_formed_records_pass_and_so_does_a_batch_from_the_builder()
    {
        RecordBatchValidator.ValidateRecords(ForgedBatches.Valid(Now), Kafka);
        using var builder = new RecordBatchBuilder(CompressionType.Zstd);
        builder.Add(Now, "k"u8.ToArray(), "v"u8.ToArray(), new RecordHeader("h", "x"u8.ToArray()));
        builder.Add(Now + 1, null, null);
        RecordBatchValidator.ValidateRecords(builder.Build().Span, Kafka);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_forged_batch_is_refused_with_its_error(string name)
    {
        var batch = ForgedBatches.Of(name, Now);
        Assert.Equal(batch.Length, RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: false));

        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateRecords(batch, Kafka));

        Assert.Equal(ForgedBatches.Cases.Single(c => c.Name == name).Error, error.Code);
    }

    [Theory]
    [InlineData(RecordBatchLayout.ControlMask | RecordBatchLayout.TransactionalMask, 7, ErrorCode.InvalidRecord)]
    [InlineData(RecordBatchLayout.TransactionalMask, -1, ErrorCode.InvalidRecord)]
    public void A_producer_may_send_neither_a_transaction_marker_nor_a_transactional_batch_without_a_producer_id(int flags, long producerId, ErrorCode expected)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = (short)(producerId >= 0 ? 0 : -1), BaseSequence = producerId >= 0 ? 0 : -1 };
        builder.Add(Now, "k"u8.ToArray(), "v"u8.ToArray());
        var batch = builder.Build().ToArray();
        var attributes = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(RecordBatchLayout.AttributesOffset));
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchLayout.AttributesOffset), (short)((ushort)attributes | flags));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchLayout.CrcOffset), Crc32C.Compute(batch.AsSpan(RecordBatchLayout.AttributesOffset)));

        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: true));
        Assert.Equal(expected, error.Code);

        // A follower copies what its leader stored, markers included.
        if (producerId >= 0)
        {
            Assert.Equal(batch.Length, RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: false));
        }
    }

    [Fact]
    public void A_transactional_batch_with_a_producer_id_passes_for_its_leader_to_check_with_the_coordinator()
    {
        var batch = Batches.Transactional(7, 0, 0, "v");
        Assert.Equal(batch.Length, RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: true));
    }

    [Fact]
    public void A_batch_that_decompresses_past_the_bound_is_refused_before_it_is_held()
    {
        var bomb = ForgedBatches.CompressionBomb(4 * 1024 * 1024, Now);
        Assert.True(bomb.Length < 64 * 1024, $"the bomb is {bomb.Length} bytes");

        var error = Assert.Throws<OrleansLogException>(() => RecordBatchValidator.ValidateRecords(bomb, Kafka with { MaxUncompressedBytes = 1024 * 1024 }));

        Assert.Equal(ErrorCode.InvalidRecord, error.Code);
        RecordBatchValidator.ValidateRecords(bomb, Kafka);
    }

    [Theory]
    [InlineData(-60 * 60 * 1000 - 1, false)]
    [InlineData(-60 * 60 * 1000, true)]
    [InlineData(60 * 60 * 1000, true)]
    [InlineData(60 * 60 * 1000 + 1, false)]
    public void Create_times_must_lie_within_the_topics_window(long offsetFromNow, bool allowed)
    {
        var limits = Kafka with { TimestampBeforeMaxMs = 60 * 60 * 1000 };
        var batch = ForgedBatches.Valid(Now + offsetFromNow);

        var error = Xunit.Record.Exception(() => RecordBatchValidator.ValidateRecords(batch, limits));

        Assert.Equal(allowed, error is null);
        Assert.True(allowed || error is OrleansLogException { Code: ErrorCode.InvalidTimestamp });
    }
}
