using OrleansLog.Records;
using OrleansLog.Storage.IO;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// The storage model test over a file system that loses everything not fsynced when the power goes
/// (<see cref="CrashingFileSystem"/>): random appends, reads, rolls, truncations, deletions, clean closes and
/// power losses at any point (also just after a clean close), checked after every step against a plain model.
/// Every record below the flushed offset at the moment of a crash must survive it, and the log must reopen to a
/// prefix of what was appended; the log's directory is created by the first open, so it must survive too. The same run over a file system whose fsync does nothing must fail: that is how these tests
/// show they would catch a missing fsync.
/// </summary>
public class LogPowerLossTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 16));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Nothing_flushed_is_lost_at_a_power_loss(int seed) => await Run(seed, new CrashingFileSystem());

    /// <summary>
    /// The same through the broker's handle cache holding a single handle: every segment file is closed and
    /// reopened between operations, and a flush through a reopened handle must still make the earlier writes durable.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Nothing_flushed_is_lost_at_a_power_loss_when_handles_are_closed_and_reopened(int seed) => await Run(seed, new CrashingFileSystem(), cachedHandles: 1);

    [Fact]
    public async Task Without_fsync_a_power_loss_loses_flushed_records_and_the_test_sees_it()
    {
        var failures = 0;
        for (var seed = 1; seed <= 8; seed++)
        {
            try
            {
                await Run(seed, new CrashingFileSystem { LieAboutFlush = true });
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or OrleansLogException)
            {
                failures++;
            }
        }

        output.WriteLine($"{failures} of 8 runs without fsync lost acknowledged records");
        Assert.True(failures >= 6, $"only {failures} of 8 runs without fsync were caught");
    }

    private async Task Run(int seed, CrashingFileSystem disk, int? cachedHandles = null)
    {
        var random = new Random(seed);
        const string directory = "/power-loss/topic-0";
        var config = new LogConfig { SegmentBytes = random.Next(300, 3_000), IndexIntervalBytes = random.Next(0, 300), FlushMessages = 1 };
        var model = new List<(long Offset, string Value)>();
        var start = 0L;
        IFileSystem files = cachedHandles is { } capacity ? new HandleCachingFileSystem(disk, capacity) : disk;
        var log = PartitionLog.Open(directory, config, files);
        var step = 0;
        try
        {
            for (step = 0; step < 200; step++)
            {
                var action = random.Next(100);
                if (action < 55)
                {
                    var values = Enumerable.Range(0, random.Next(1, 5)).Select(_ => $"s{seed}-{step}-{random.Next(1000)}").ToArray();
                    var info = await log.AppendAsync(Batches.Of((CompressionType)random.Next(5), 1_000 + step, values), flushOnCallingThread: true);
                    Assert.Equal(model.Count == 0 ? start : model[^1].Offset + 1, info.FirstOffset);
                    model.AddRange(values.Select((v, i) => (info.FirstOffset + i, v)));
                }
                else if (action < 62)
                {
                    log.Roll();
                }
                else if (action < 66)
                {
                    // A clean close (segment sealed, indexes written, the clean shutdown marker), sometimes followed
                    // by a power loss: the reopened log trusts its indexes, so they must be as durable as the marker.
                    var end = log.LogEndOffset;
                    log.Dispose();
                    if (random.Next(2) == 0)
                    {
                        disk.Crash(random);
                    }

                    log = PartitionLog.Open(directory, config, files);
                    Assert.False(log.Recovery.WasUnclean);
                    Assert.Equal(end, log.LogEndOffset);
                }
                else if (action < 80)
                {
                    // Power loss: the process is gone (the log is abandoned, not closed), unflushed writes too.
                    var flushed = log.FlushedOffset;
                    disk.Crash(random);
                    log = PartitionLog.Open(directory, config, files);
                    Assert.True(log.LogEndOffset >= flushed, $"flushed up to {flushed}, the log ends at {log.LogEndOffset} after the power loss");
                    Assert.Equal(start, log.LogStartOffset);
                    model.RemoveAll(r => r.Offset >= log.LogEndOffset);
                }
                else if (action < 90)
                {
                    var end = model.Count == 0 ? start : model[^1].Offset + 1;
                    var offset = random.NextInt64(start, end + 1);
                    log.TruncateTo(offset);
                    model.RemoveAll(r => r.Offset >= log.LogEndOffset);
                }
                else
                {
                    var end = model.Count == 0 ? start : model[^1].Offset + 1;
                    var offset = random.NextInt64(start, end + 1);
                    log.DeleteRecordsBefore(offset);
                    start = Math.Max(start, offset);
                    model.RemoveAll(r => r.Offset < start);
                }

                Assert.Equal(model, Batches.ReadAll(log));
            }
        }
        catch
        {
            output.WriteLine($"seed {seed}, step {step}: segment.bytes={config.SegmentBytes} index.interval.bytes={config.IndexIntervalBytes}, lying fsync: {disk.LieAboutFlush}");
            throw;
        }
    }
}
