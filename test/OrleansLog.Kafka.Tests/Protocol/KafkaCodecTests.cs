using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Tests.Protocol;

public class KafkaCodecTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_primitive_reads_back_as_written(bool flexible)
    {
        using var writer = new KafkaWriter(8);
        writer.WriteInt8(-3);
        writer.WriteBool(true);
        writer.WriteInt16(-12345);
        writer.WriteInt32(int.MinValue);
        writer.WriteInt64(long.MaxValue);
        writer.WriteUnsignedVarInt(300);
        writer.WriteString("topic-é", flexible);
        writer.WriteNullableString(null, flexible);
        writer.WriteBytes([1, 2, 3], flexible);
        writer.WriteNullBytes(flexible);
        writer.WriteInt32Array([7, 8], flexible);
        writer.WriteUuid(Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"));
        writer.WriteEmptyTaggedFields(flexible);

        var reader = new KafkaReader(writer.Complete().Span[4..]);
        Assert.Equal(-3, reader.ReadInt8());
        Assert.True(reader.ReadBool());
        Assert.Equal(-12345, reader.ReadInt16());
        Assert.Equal(int.MinValue, reader.ReadInt32());
        Assert.Equal(long.MaxValue, reader.ReadInt64());
        Assert.Equal(300u, reader.ReadUnsignedVarInt());
        Assert.Equal("topic-é", reader.ReadString(flexible));
        Assert.Null(reader.ReadNullableString(flexible));
        Assert.Equal([1, 2, 3], reader.ReadBytes(flexible).ToArray());
        reader.ReadNullableBytes(flexible, out var isNull);
        Assert.True(isNull);
        Assert.Equal([7, 8], reader.ReadInt32Array(flexible));
        Assert.Equal(Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"), reader.ReadUuid());
        reader.SkipTaggedFields(flexible);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void The_frame_size_prefix_counts_the_bytes_after_it()
    {
        using var writer = new KafkaWriter(4);
        writer.WriteInt32(1);
        writer.WriteString("grows past the first buffer", flexible: false);

        var frame = writer.Complete().Span;

        Assert.Equal(frame.Length - 4, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame));
        Assert.Equal(frame.Length - 4, writer.BodyLength);
    }

    [Fact]
    public void A_referenced_byte_field_is_written_in_its_place_and_counted_in_the_size()
    {
        var large = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        using var writer = new KafkaWriter();
        writer.WriteInt32(7);
        writer.WriteBytesReference(large, flexible: false);
        writer.WriteInt16(9);
        var output = new System.Buffers.ArrayBufferWriter<byte>();

        writer.WriteTo(output);

        var reader = new KafkaReader(output.WrittenSpan);
        Assert.Equal(output.WrittenCount - 4, reader.ReadInt32());
        Assert.Equal(7, reader.ReadInt32());
        Assert.Equal(large, reader.ReadBytes(flexible: false).ToArray());
        Assert.Equal(9, reader.ReadInt16());
        Assert.Throws<InvalidOperationException>(() => writer.Complete());
    }

    [Fact]
    public void What_holds_referenced_bytes_is_disposed_with_the_frame_once_and_not_before()
    {
        var holder = new CountingDisposable();
        var writer = new KafkaWriter();
        writer.WriteBytesReference(new byte[10_000], flexible: false);
        writer.Owns(holder);

        writer.WriteTo(new System.Buffers.ArrayBufferWriter<byte>());
        Assert.Equal(0, holder.Disposed);

        writer.Dispose();
        writer.Dispose();
        Assert.Equal(1, holder.Disposed);
    }

    [Theory]
    [InlineData(new byte[] { 0, 5, (byte)'a' })]
    [InlineData(new byte[] { 0xff, 0xfe })]
    [InlineData(new byte[] { 0, 0, 0, 9, 1 })]
    public void A_field_that_runs_past_the_frame_is_a_protocol_error(byte[] body)
    {
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(body);
            if (body.Length == 5)
            {
                reader.ReadArrayLength(flexible: false);
            }
            else
            {
                reader.ReadString(flexible: false);
            }
        });
    }

    [Fact]
    public void A_varint_longer_than_five_bytes_is_a_protocol_error() =>
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }).ReadUnsignedVarInt());

    [Fact]
    public void A_null_string_where_one_is_required_is_a_protocol_error() =>
        Assert.Throws<KafkaProtocolException>(() => new KafkaReader(new byte[] { 0xff, 0xff }).ReadString(flexible: false));

    [Fact]
    public void Flexible_versions_are_advertised_only_for_the_apis_whose_handlers_read_them()
    {
        ApiKey[] flexible = [ApiKey.ApiVersions, ApiKey.SaslAuthenticate, ApiKey.DescribeClientQuotas, ApiKey.AlterClientQuotas, ApiKey.DescribeUserScramCredentials, ApiKey.AlterUserScramCredentials, ApiKey.DescribeTransactions, ApiKey.ListTransactions];
        Assert.All(SupportedApis.All.Where(a => !flexible.Contains(a.Key)), api => Assert.False(api.IsFlexible(api.Max)));
        Assert.True(SupportedApis.Find((short)ApiKey.ApiVersions)!.Value.IsFlexible(3));
        Assert.Equal((short)1, SupportedApis.Find((short)ApiKey.AlterClientQuotas)!.Value.FlexibleFrom);
        Assert.True(SupportedApis.Find((short)ApiKey.AlterUserScramCredentials)!.Value.IsFlexible(0));
        Assert.Null(SupportedApis.Find(71));
    }

    private sealed class CountingDisposable : IDisposable
    {
        public int Disposed { get; private set; }

        public void Dispose() => Disposed++;
    }
}
