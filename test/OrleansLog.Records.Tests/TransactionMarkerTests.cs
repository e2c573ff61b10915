using System.Buffers.Binary;

namespace OrleansLog.Records.Tests;

/// <summary>Transaction markers in Kafka's control batch layout: written, read back, and told apart from data.</summary>
public class TransactionMarkerTests
{
    [Theory]
    [InlineData(ControlRecordType.Commit, 7)]
    [InlineData(ControlRecordType.Abort, 0)]
    public void A_marker_is_a_control_batch_that_reads_back_as_itself(ControlRecordType type, int coordinatorEpoch)
    {
        var batch = new TransactionMarker(type, coordinatorEpoch).ToBatch(producerId: 42, producerEpoch: 3, timestamp: 1_000);
        var header = RecordBatchHeader.Read(batch);
        Assert.True(header.IsControl);
        Assert.True(header.IsTransactional);
        Assert.Equal((42L, (short)3, -1, 1), (header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordCount));
        Assert.Equal(batch.Length, RecordBatchValidator.ValidateOne(batch, int.MaxValue, producerBatch: false));

        Assert.True(TransactionMarker.TryRead(batch, out var marker));
        Assert.Equal(new TransactionMarker(type, coordinatorEpoch), marker);

        // Kafka's layout: key = version 0, type; value = version 0, coordinator epoch.
        using var reader = new RecordReader(batch);
        Assert.True(reader.TryReadNext(out var record));
        Assert.Equal([0, 0, 0, (byte)type], record.Key.ToArray());
        Assert.Equal(coordinatorEpoch, BinaryPrimitives.ReadInt32BigEndian(record.Value[2..]));
    }

    [Fact]
    public void A_data_batch_and_an_unknown_control_type_are_not_markers()
    {
        using var builder = new RecordBatchBuilder { ProducerId = 1, ProducerEpoch = 0, BaseSequence = 0, IsTransactional = true };
        builder.Add(1_000, [0, 0, 0, 1], [0, 0, 0, 0, 0, 0]);
        Assert.False(TransactionMarker.TryRead(builder.Build().Span, out _));

        builder.Reset();
        builder.ProducerId = 1;
        builder.IsTransactional = true;
        builder.IsControl = true;
        builder.Add(1_000, [0, 0, 0, 9], [0, 0, 0, 0, 0, 0]);
        Assert.False(TransactionMarker.TryRead(builder.Build().Span, out _));
    }
}
