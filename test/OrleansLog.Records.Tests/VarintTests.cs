using OrleansLog.Records;

namespace OrleansLog.Records.Tests;

public class VarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Zigzag_ints_encode_as_Kafka_does(int value, byte[] expected)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxVarIntBytes];
        var written = Varint.WriteVarInt(buffer, value);
        Assert.Equal(expected, buffer[..written].ToArray());
        Assert.Equal(expected.Length, Varint.SizeOfVarInt(value));
        Assert.True(Varint.TryReadVarInt(expected, out var read, out var bytesRead));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, bytesRead);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(1L << 35)]
    [InlineData(-(1L << 49))]
    public void Zigzag_longs_round_trip_at_the_edges(long value)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxVarLongBytes];
        var written = Varint.WriteVarLong(buffer, value);
        Assert.Equal(written, Varint.SizeOfVarLong(value));
        Assert.True(Varint.TryReadVarLong(buffer[..written], out var read, out var bytesRead));
        Assert.Equal(value, read);
        Assert.Equal(written, bytesRead);
    }

    [Fact]
    public void Unsigned_varints_round_trip()
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxVarIntBytes];
        foreach (var value in new uint[] { 0, 127, 128, 16383, 16384, uint.MaxValue })
        {
            var written = Varint.WriteUnsignedVarInt(buffer, value);
            Assert.True(Varint.TryReadUnsignedVarInt(buffer[..written], out var read, out _));
            Assert.Equal(value, read);
        }
    }

    [Fact]
    public void A_truncated_varint_is_refused()
    {
        Assert.False(Varint.TryReadVarInt([0x80, 0x80], out _, out _));
        Assert.False(Varint.TryReadVarInt([], out _, out _));
    }

    [Fact]
    public void A_varint_longer_than_five_bytes_is_refused()
    {
        Assert.False(Varint.TryReadVarInt([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _));
        Assert.False(Varint.TryReadVarLong([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _));
    }
}
