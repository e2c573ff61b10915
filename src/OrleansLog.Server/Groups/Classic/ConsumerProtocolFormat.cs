using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups.Classic;

/// <summary>
/// Reads the topics out of a Kafka consumer's subscription metadata and the partitions out of its
/// assignment (Kafka's ConsumerProtocolSubscription and ConsumerProtocolAssignment: an int16 version,
/// then int16-length strings and int32-counted arrays), so a group of Kafka clients is described like a
/// native one, and writes a native member's partitions as an assignment, so Kafka tools can describe
/// native groups. Only for describing: the group passes the bytes on unread, and bytes of another protocol
/// type (or malformed ones) simply describe as nothing.
/// </summary>
public static class ConsumerProtocolFormat
{
    /// <summary>A version 0 assignment of <paramref name="partitions"/>, grouped by topic, with no user data.</summary>
    public static byte[] EncodeAssignment(IReadOnlyList<TopicPartition> partitions)
    {
        var topics = partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).ToList();
        var size = 2 + 4 + topics.Sum(t => 2 + Encoding.UTF8.GetByteCount(t.Key) + 4 + (4 * t.Count())) + 4;
        var bytes = new byte[size];
        var position = 2;
        WriteInt32(bytes, ref position, topics.Count);
        foreach (var topic in topics)
        {
            var length = Encoding.UTF8.GetBytes(topic.Key, bytes.AsSpan(position + 2));
            BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(position), (short)length);
            position += 2 + length;
            WriteInt32(bytes, ref position, topic.Count());
            foreach (var partition in topic)
            {
                WriteInt32(bytes, ref position, partition.Partition);
            }
        }

        // No user data: a null byte array.
        WriteInt32(bytes, ref position, -1);
        return bytes;
    }

    public static ImmutableArray<string> SubscribedTopics(ReadOnlySpan<byte> metadata)
    {
        try
        {
            var position = 2;
            var count = ReadCount(metadata, ref position);
            var topics = ImmutableArray.CreateBuilder<string>();
            for (var i = 0; i < count; i++)
            {
                topics.Add(ReadString(metadata, ref position));
            }

            return topics.ToImmutable();
        }
        catch (ArgumentOutOfRangeException)
        {
            return [];
        }
    }

    public static ImmutableArray<TopicPartition> AssignedPartitions(ReadOnlySpan<byte> assignment)
    {
        try
        {
            var position = 2;
            var topicCount = assignment.Length < 2 ? 0 : ReadCount(assignment, ref position);
            var partitions = ImmutableArray.CreateBuilder<TopicPartition>();
            for (var t = 0; t < topicCount; t++)
            {
                var topic = ReadString(assignment, ref position);
                var count = ReadCount(assignment, ref position);
                for (var p = 0; p < count; p++)
                {
                    partitions.Add(new TopicPartition(topic, ReadInt32(assignment, ref position)));
                }
            }

            return partitions.ToImmutable();
        }
        catch (ArgumentOutOfRangeException)
        {
            return [];
        }
    }

    private static void WriteInt32(Span<byte> bytes, ref int position, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(bytes[position..], value);
        position += 4;
    }

    private static int ReadInt32(ReadOnlySpan<byte> bytes, ref int position)
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(position, 4));
        position += 4;
        return value;
    }

    /// <summary>An array's count, which cannot exceed the bytes left.</summary>
    private static int ReadCount(ReadOnlySpan<byte> bytes, ref int position)
    {
        var count = ReadInt32(bytes, ref position);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, bytes.Length - position);
        return count;
    }

    private static string ReadString(ReadOnlySpan<byte> bytes, ref int position)
    {
        var length = BinaryPrimitives.ReadInt16BigEndian(bytes.Slice(position, 2));
        position += 2;
        var value = Encoding.UTF8.GetString(bytes.Slice(position, length));
        position += length;
        return value;
    }
}
