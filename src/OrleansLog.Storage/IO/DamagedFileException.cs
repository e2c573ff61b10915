namespace OrleansLog.Storage.IO;

/// <summary>
/// A file OrleansLog wrote that exists but fails its checksum (or is of another kind, version or length):
/// KAFKA_STORAGE_ERROR naming the file and what to do. Never read as "no state": an empty coordinator or
/// a forgotten log start would delete or expose data.
/// </summary>
public sealed class DamagedFileException(string path, string what, string remedy)
    : OrleansLogException(ErrorCode.KafkaStorageError, $"{path} ({what}) is damaged: it fails its checksum. {remedy}")
{
    public string FilePath { get; } = path;
}
