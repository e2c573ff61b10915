using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;
using OrleansLog.Storage.Compaction;
using OrleansLog.Storage.IO;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Storage.Tests.Compaction;

/// <summary>
/// A power loss at every step of a cleaner pass, one run per step: each file write, fsync, rename, deletion and directory
/// flush the pass makes is in turn the point where the power goes (over <see cref="CrashingFileSystem"/>, which then
/// drops whatever was not durable). After each, the log reopens holding, for every key, the same newest record as before
/// the pass, every record it holds is the one appended at its offset, nothing of the cleaner's is left behind, and the
/// next pass cleans it fully.
/// </summary>
public sealed class CleanerCrashTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_power_loss_at_any_step_of_a_pass_loses_no_key_and_leaves_no_half_swap(int seed)
    {
        var steps = 0;
        for (var crashAt = 1; ; crashAt++)
        {
            var random = new Random(seed);
            var disk = new CrashingFileSystem();
            var files = new PowerCutFileSystem(disk);
            var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
            const string directory = "/cleaner-crash/compacted-0";
            var config = new LogConfig { Compact = true, RetentionMs = -1, SegmentBytes = 1_500, IndexIntervalBytes = 200 };
            var log = PartitionLog.Open(directory, config, files, time);
            for (var i = 0; i < 120; i++)
            {
                var records = Enumerable.Range(0, random.Next(1, 5)).Select(_ => ($"key-{random.Next(15)}", random.Next(8) == 0 ? null : $"v{i}-{random.Next(1000)}")).ToArray();
                await log.AppendAsync(Batches.Keyed((CompressionType)random.Next(5), 1_000 + i, records), flushOnCallingThread: true);
                if (i is 39 or 79)
                {
                    // A first pass before the last third, so the crashing pass rewrites clean and dirty segments alike.
                    log.Roll();
                    Assert.Null((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Abandoned);
                }
            }

            log.Roll();
            var before = CompactedLog.ReadAll(log).Records;
            var newest = CompactedLog.NewestByKey(before);

            files.CutPowerAt(crashAt);
            try
            {
                var result = await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
                Assert.True(result.Cleaned);
                Assert.False(files.PowerWasCut);
                output.WriteLine($"seed {seed}: a pass makes {crashAt - 1} durable steps; each was a power loss in one run");
                Assert.True(crashAt > 10, $"a pass was expected to take more than {crashAt - 1} steps");
                return;
            }
            catch (Exception) when (files.PowerWasCut)
            {
                // The process is gone with the power: the log is abandoned, not closed.
                steps++;
            }

            disk.Crash(random);
            var reopened = PartitionLog.Open(directory, config, disk, time);
            try
            {
                Assert.DoesNotContain(disk.ListFiles(directory), f => f.EndsWith(".cleaned", StringComparison.Ordinal) || f.EndsWith(".swap", StringComparison.Ordinal));
                var after = CompactedLog.ReadAll(reopened).Records;
                Assert.Equal(newest, CompactedLog.NewestByKey(after));
                var appended = before.ToDictionary(r => r.Offset);
                Assert.All(after, r => Assert.Equal(appended[r.Offset], r));

                Assert.Null((await reopened.CleanAsync(new OffsetMap(1 << 16), reopened.LogEndOffset)).Abandoned);
                var cleaned = CompactedLog.ReadAll(reopened).Records;
                Assert.Equal(newest, CompactedLog.NewestByKey(cleaned));
                Assert.Equal(newest.Count, cleaned.Count);
            }
            finally
            {
                reopened.Dispose();
            }
        }
    }

    /// <summary>
    /// Counts the durable steps (writes, fsyncs, renames, deletions, directory flushes) and, once armed, fails the chosen
    /// one and every one after it, as a machine that lost power would never make them.
    /// </summary>
    private sealed class PowerCutFileSystem(IFileSystem inner) : IFileSystem
    {
        private int _remaining = int.MaxValue;

        public bool PowerWasCut { get; private set; }

        public void CutPowerAt(int step) => _remaining = step;

        public IStorageFile Open(string path, bool create) => new File(this, inner.Open(path, create));

        public bool FileExists(string path) => inner.FileExists(path);

        public void DeleteFile(string path)
        {
            Step();
            inner.DeleteFile(path);
        }

        public bool CreateDirectory(string path) => inner.CreateDirectory(path);

        public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

        public void Rename(string source, string destination)
        {
            Step();
            inner.Rename(source, destination);
        }

        public void FlushDirectory(string directory)
        {
            Step();
            inner.FlushDirectory(directory);
        }

        public IDisposable LockDirectory(string directory) => inner.LockDirectory(directory);

        private void Step()
        {
            if (PowerWasCut || --_remaining <= 0)
            {
                PowerWasCut = true;
                throw new IOException("The power is out.");
            }
        }

        private sealed class File(PowerCutFileSystem owner, IStorageFile inner) : IStorageFile
        {
            public string Path => inner.Path;

            public int Read(Span<byte> destination, long position) => inner.Read(destination, position);

            public void Write(ReadOnlySpan<byte> source, long position)
            {
                owner.Step();
                inner.Write(source, position);
            }

            public void Write(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position)
            {
                owner.Step();
                inner.Write(buffers, position);
            }

            public void Flush()
            {
                owner.Step();
                inner.Flush();
            }

            public long GetLength() => inner.GetLength();

            public void SetLength(long length)
            {
                owner.Step();
                inner.SetLength(length);
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
