using OrleansLog.Records;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Model-based test: random sequences of append, read, roll, reopen (clean and after a crash),
/// truncate and delete-records, checked after every step against a plain in-memory model.
/// A failure names its seed, so it replays exactly.
/// </summary>
public class LogModelTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 12));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_log_always_agrees_with_the_model(int seed)
    {
        using var temp = new TempDirectory();
        var random = new Random(seed);
        var directory = temp.Sub("model-0");
        var config = new LogConfig { SegmentBytes = random.Next(200, 2_000), IndexIntervalBytes = random.Next(0, 300), FlushMessages = random.Next(1, 4) };
        var model = new LogModel();
        var log = PartitionLog.Open(directory, config);
        var step = 0;
        try
        {
            for (step = 0; step < 150; step++)
            {
                var action = random.Next(100);
                if (action < 50)
                {
                    var values = Enumerable.Range(0, random.Next(1, 6)).Select(_ => $"s{seed}-{step}-{random.Next(1000)}").ToArray();
                    var info = log.Append(Batches.Of((CompressionType)random.Next(5), 1_000 + step, values));
                    Assert.Equal(model.EndOffset, info.FirstOffset);
                    model.Append(values);
                }
                else if (action < 65)
                {
                    var offset = random.NextInt64(model.StartOffset, model.EndOffset + 1);
                    using var read = log.Read(offset, random.Next(1, 600));
                    // The first batch may start below the log start offset (after delete-records); those records are not readable.
                    var records = Batches.Records(read.Records.Span).Where(r => r.Offset >= model.StartOffset).ToList();
                    if (offset < model.EndOffset)
                    {
                        Assert.NotEmpty(records);
                        var expected = model.Records.Where(r => r.Offset >= records[0].Offset).Take(records.Count);
                        Assert.Equal(expected, records);
                        Assert.Contains(records, r => r.Offset == offset);
                    }
                    else
                    {
                        Assert.Empty(records);
                    }
                }
                else if (action < 72)
                {
                    log.Roll();
                }
                else if (action < 82)
                {
                    var crash = random.Next(2) == 0;
                    log.Dispose();
                    if (crash)
                    {
                        File.Delete(Path.Combine(directory, ".clean-shutdown"));
                    }

                    log = PartitionLog.Open(directory, config);
                    Assert.Equal(crash, log.Recovery.WasUnclean);
                    Assert.Equal(0, log.Recovery.TruncatedBytes);
                }
                else if (action < 91)
                {
                    var offset = random.NextInt64(model.StartOffset, model.EndOffset + 2);
                    log.TruncateTo(offset);
                    model.TruncateTo(offset);
                }
                else
                {
                    var offset = random.NextInt64(model.StartOffset, model.EndOffset + 1);
                    log.DeleteRecordsBefore(offset);
                    model.DeleteRecordsBefore(offset);
                }

                Assert.Equal(model.StartOffset, log.LogStartOffset);
                Assert.Equal(model.EndOffset, log.LogEndOffset);
                Assert.Equal(model.Records, Batches.ReadAll(log));
            }
        }
        catch
        {
            output.WriteLine($"Failed with seed {seed} at step {step}; segment.bytes={config.SegmentBytes} index.interval.bytes={config.IndexIntervalBytes}");
            throw;
        }
        finally
        {
            log.Dispose();
        }
    }

    /// <summary>The log as a list of batches: what it must hold, with none of its machinery.</summary>
    private sealed class LogModel
    {
        private readonly List<(long Base, string[] Values)> _batches = [];

        public long StartOffset { get; private set; }

        public long EndOffset { get; private set; }

        public List<(long Offset, string Value)> Records =>
            _batches.SelectMany(b => b.Values.Select((v, i) => (b.Base + i, v))).Where(r => r.Item1 >= StartOffset).ToList();

        public void Append(string[] values)
        {
            _batches.Add((EndOffset, values));
            EndOffset += values.Length;
        }

        public void TruncateTo(long offset)
        {
            if (offset >= EndOffset)
            {
                return;
            }

            var firstRemoved = _batches.FindIndex(b => b.Base + b.Values.Length - 1 >= offset);
            EndOffset = _batches[firstRemoved].Base;
            _batches.RemoveRange(firstRemoved, _batches.Count - firstRemoved);
            if (EndOffset <= StartOffset || offset <= StartOffset)
            {
                _batches.Clear();
                EndOffset = StartOffset;
            }
        }

        public void DeleteRecordsBefore(long offset)
        {
            StartOffset = Math.Max(StartOffset, offset);
            _batches.RemoveAll(b => b.Base + b.Values.Length <= StartOffset);
        }
    }
}
