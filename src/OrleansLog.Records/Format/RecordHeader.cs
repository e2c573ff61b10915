namespace OrleansLog.Records;

/// <summary>One header of a record: a UTF-8 key and an optional value.</summary>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);
