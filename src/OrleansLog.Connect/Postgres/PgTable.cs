using System.Collections.Immutable;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Postgres;

/// <summary>A captured table's columns (name, type OID, part of the key) and the schemas of its records' keys and values. Immutable.</summary>
public sealed class PgTable
{
    public PgTable(string schema, string name, IEnumerable<(string Name, uint TypeOid, bool IsKey)> columns)
    {
        Schema = schema;
        Name = name;
        Columns = [.. columns];
        var fullName = $"{schema}.{name}";
        ValueSchema = ConnectSchema.Struct(fullName + ".Value", [.. Columns.Select(c => new ConnectField(c.Name, PgValues.SchemaOf(c.TypeOid, !c.IsKey)))]);
        KeySchema = ConnectSchema.Struct(fullName + ".Key", [.. Columns.Where(c => c.IsKey || !HasKey).Select(c => new ConnectField(c.Name, PgValues.SchemaOf(c.TypeOid, false)))]);
    }

    public string Schema { get; }

    public string Name { get; }

    public ImmutableArray<(string Name, uint TypeOid, bool IsKey)> Columns { get; }

    public ConnectSchema ValueSchema { get; }

    public ConnectSchema KeySchema { get; }

    public string Topic(string prefix) => $"{prefix}.{Schema}.{Name}";

    /// <summary>The key of a row: its key columns (every column, when the table has no key).</summary>
    public ConnectStruct KeyOf(ConnectStruct row) =>
        new(Columns.Where(c => c.IsKey || !HasKey).Select(c => KeyValuePair.Create(c.Name, row.GetValueOrDefault(c.Name))));

    public bool HasKey => Columns.Any(c => c.IsKey);
}
