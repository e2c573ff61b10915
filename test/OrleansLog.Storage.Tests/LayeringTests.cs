using System.Xml.Linq;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// The arrows between projects, read from the project files themselves (transitively), so a reference
/// that no code uses yet still counts: the record format and the storage engine know nothing of Orleans,
/// and what clients ship (Abstractions, Client) never carries the segment engine.
/// </summary>
public class LayeringTests
{
    [Theory]
    [InlineData("OrleansLog.Records")]
    [InlineData("OrleansLog.Storage")]
    public void The_record_format_and_the_storage_engine_reference_nothing_of_Orleans(string project)
    {
        Assert.DoesNotContain(PackagesOf(project), name => name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) || name.StartsWith("Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(ProjectsReachableFrom(project), reached => reached is "OrleansLog.Abstractions" or "OrleansLog.Server");
    }

    [Fact]
    public void The_record_format_references_no_project_of_ours()
    {
        Assert.Empty(ProjectsReachableFrom("OrleansLog.Records"));
    }

    [Theory]
    [InlineData("OrleansLog.Abstractions")]
    [InlineData("OrleansLog.Client")]
    [InlineData("OrleansLog.Web")]
    [InlineData("OrleansLog.Cli")]
    public void What_clients_ship_never_references_the_storage_engine(string project)
    {
        var reached = ProjectsReachableFrom(project);
        Assert.Contains("OrleansLog.Records", reached);
        Assert.DoesNotContain("OrleansLog.Storage", reached);
    }

    [Fact]
    public void The_compiled_storage_engine_references_no_Orleans_assembly()
    {
        var references = typeof(PartitionLog).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, name => name == "Orleans" || name.StartsWith("Orleans.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
    }

    private static XDocument Load(string project) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "src", project, project + ".csproj"));

    private static string[] PackagesOf(string project) =>
        [.. Load(project).Descendants("PackageReference").Select(e => (string)e.Attribute("Include")!)];

    private static HashSet<string> ProjectsReachableFrom(string project)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            foreach (var reference in Load(next).Descendants("ProjectReference"))
            {
                var name = Path.GetFileNameWithoutExtension((string)reference.Attribute("Include")!);
                if (reached.Add(name))
                {
                    pending.Push(name);
                }
            }
        }

        return reached;
    }
}
