using System.Security.Cryptography;
using System.Text;

namespace OrleansLog.Postgres;

/// <summary>One file of <c>deploy/postgres</c>, as shipped inside this assembly.</summary>
public sealed record SchemaScript(string Name, string Text)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));

    /// <summary>The scripts in the order they apply (their names start with a sequence number).</summary>
    public static IReadOnlyList<SchemaScript> All { get; } = Load();

    private static SchemaScript[] Load()
    {
        var assembly = typeof(SchemaScript).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith("schema/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return new SchemaScript(name["schema/".Length..], reader.ReadToEnd());
            })
            .ToArray();
    }
}
