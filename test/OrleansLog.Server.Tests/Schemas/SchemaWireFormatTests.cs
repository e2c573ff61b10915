using System.Buffers.Binary;
using OrleansLog.Records;
using OrleansLog.Server.Schemas;

namespace OrleansLog.Server.Tests.Schemas;

public class SchemaWireFormatTests
{
    private static readonly HashSet<int> Registered = [7, 9];

    [Fact]
    public void Values_framed_with_a_registered_id_and_null_values_pass()
    {
        var batch = Batch(CompressionType.Lz4, (null, Framed(7, "{}")), (null, null), (Framed(1, "k"), Framed(9, "[]")));

        Assert.Null(SchemaWireFormat.FindViolation(batch, "orders", keyIds: null, valueIds: Registered));
    }

    [Fact]
    public void A_value_without_the_wire_header_is_named_by_its_index()
    {
        var batch = Batch(CompressionType.None, (null, Framed(7, "{}")), (null, "{\"plain\":true}"u8.ToArray()));

        var violation = SchemaWireFormat.FindViolation(batch, "orders", null, Registered);

        Assert.Equal((1, false), (violation!.RecordIndex, violation.UnknownId));
        Assert.Contains("Record 1", violation.Message);
        Assert.Contains("\"orders-value\"", violation.Message);
    }

    [Fact]
    public void A_value_shorter_than_the_header_fails()
    {
        var batch = Batch(CompressionType.None, (null, [0, 0, 0]));

        Assert.Equal(0, SchemaWireFormat.FindViolation(batch, "orders", null, Registered)!.RecordIndex);
    }

    [Fact]
    public void An_unregistered_id_is_reported_as_unknown_so_the_registry_is_asked_again()
    {
        var batch = Batch(CompressionType.Zstd, (null, Framed(8, "{}")));

        var violation = SchemaWireFormat.FindViolation(batch, "orders", null, Registered);

        Assert.True(violation!.UnknownId);
        Assert.Contains("schema id 8", violation.Message);
    }

    [Fact]
    public void Keys_are_checked_only_when_asked_and_indexes_run_across_batches()
    {
        byte[] batches = [.. Batch(CompressionType.None, (Framed(9, "k"), Framed(7, "{}"))), .. Batch(CompressionType.Gzip, (Framed(9, "k"), Framed(7, "{}")), ("plain"u8.ToArray(), Framed(7, "{}")))];

        Assert.Null(SchemaWireFormat.FindViolation(batches, "orders", keyIds: null, valueIds: Registered));
        var violation = SchemaWireFormat.FindViolation(batches, "orders", keyIds: Registered, valueIds: Registered);
        Assert.Equal(2, violation!.RecordIndex);
        Assert.Contains("\"orders-key\"", violation.Message);
    }

    private static byte[] Framed(int id, string json)
    {
        var data = System.Text.Encoding.UTF8.GetBytes(json);
        var framed = new byte[SchemaWireFormat.HeaderSize + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), id);
        data.CopyTo(framed, SchemaWireFormat.HeaderSize);
        return framed;
    }

    private static byte[] Batch(CompressionType compression, params (byte[]? Key, byte[]? Value)[] records)
    {
        using var builder = new RecordBatchBuilder(compression);
        foreach (var (key, value) in records)
        {
            builder.Add(1_000, key, value);
        }

        return builder.Build().ToArray();
    }
}
