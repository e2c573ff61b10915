using System.Text;
using OrleansLog.Client.Serialization;
using OrleansLog.Partitions;
using OrleansLog.Records;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// Turns one stored record batch into consume results: decompressed and read record by record, keys and
/// values through the consumer's deserializers, headers with UTF-8 keys. Control batches (transaction
/// markers) yield nothing. Holds no state of its own; it is as thread-safe as its deserializers.
/// </summary>
internal sealed class RecordDecoder<TKey, TValue>(IDeserializer<TKey> keys, IDeserializer<TValue> values)
{
    /// <summary>Appends the records of <paramref name="batch"/> (of <paramref name="partition"/>) to <paramref name="results"/>, in offset order.</summary>
    public void Decode(TopicPartition partition, ReadOnlySpan<byte> batch, Queue<ConsumeResult<TKey, TValue>> results)
    {
        using var reader = new RecordReader(batch);
        if (reader.Header.IsControl)
        {
            return;
        }

        while (reader.TryReadNext(out var record))
        {
            Headers? headers = null;
            if (record.HeaderCount > 0)
            {
                headers = [];
                foreach (var header in record.Headers)
                {
                    headers.Add(Encoding.UTF8.GetString(header.CurrentKey), header.CurrentHasValue ? header.CurrentValue.ToArray() : null);
                }
            }

            results.Enqueue(new ConsumeResult<TKey, TValue>
            {
                Topic = partition.Topic,
                Partition = partition.Partition,
                Offset = record.Offset,
                Message = new Message<TKey, TValue>
                {
                    Key = keys.Deserialize(record.Key, !record.HasKey),
                    Value = values.Deserialize(record.Value, !record.HasValue),
                    Timestamp = record.Timestamp,
                    Headers = headers,
                },
            });
        }
    }
}
