namespace OrleansLog.Storage.Tests;

public class LayeringTests
{
    [Fact]
    public void The_storage_engine_references_nothing_of_Orleans()
    {
        var references = typeof(Log).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, name => name == "Orleans" || name.StartsWith("Orleans.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
    }
}
