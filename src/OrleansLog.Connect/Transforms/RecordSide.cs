using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>Which part of a record a <c>$Key</c> or <c>$Value</c> transform works on, and how it reads and replaces that part.</summary>
public enum RecordSide
{
    Key,
    Value,
}

/// <summary>Reads and replaces the key or the value of a record.</summary>
internal static class RecordSides
{
    public static (ConnectSchema? Schema, object? Value) Get(this ConnectRecord record, RecordSide side) =>
        side == RecordSide.Key ? (record.KeySchema, record.Key) : (record.ValueSchema, record.Value);

    public static ConnectRecord With(this ConnectRecord record, RecordSide side, ConnectSchema? schema, object? value) =>
        side == RecordSide.Key ? record with { KeySchema = schema, Key = value } : record with { ValueSchema = schema, Value = value };

    /// <summary>The struct a field transform works on; a non-struct is a <see cref="DataException"/> naming the transform.</summary>
    public static ConnectStruct RequireStruct(object? value, string transform, RecordSide side) =>
        value as ConnectStruct ?? throw new DataException($"{transform} needs a struct or map {side.ToString().ToLowerInvariant()}, found {value?.GetType().Name ?? "null"}.");
}
