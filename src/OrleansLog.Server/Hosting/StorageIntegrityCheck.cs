using Microsoft.Extensions.Options;
using OrleansLog.Partitions;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Persistence;
using OrleansLog.Storage;

namespace OrleansLog.Server.Hosting;

/// <summary>
/// Run once before the broker starts: every grain state file (embedded mode) and every partition
/// directory's topic id and log start checkpoint must pass their checksums. The first damaged one throws
/// <see cref="Storage.IO.DamagedFileException"/>, which the broker reports in one line (file and remedy)
/// and exits 1: a damaged file read as empty would give an empty coordinator, a recycled producer id, or
/// records served again that were deleted. Leader epoch checkpoints are not checked here: a log rebuilds a
/// damaged one from its batches when it opens.
/// </summary>
public sealed class StorageIntegrityCheck(IOptions<OrleansLogOptions> options)
{
    public void Verify()
    {
        var state = options.Value.StateDirectory;
        if (Directory.Exists(state))
        {
            foreach (var file in Directory.EnumerateFiles(state, "*.state"))
            {
                FileGrainStorage.Verify(file);
            }
        }

        var logs = options.Value.LogDirectory;
        if (Directory.Exists(logs))
        {
            foreach (var directory in Directory.EnumerateDirectories(logs))
            {
                if (TopicPartition.TryParseDirectoryName(Path.GetFileName(directory), out _))
                {
                    LogManager.ReadTopicId(directory);
                    PartitionLog.VerifyCheckpoints(directory);
                }
            }
        }
    }
}
