namespace OrleansLog.Testing;

/// <summary>Finds the repository's built executables from a test's output folder (same configuration).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever this test assembly was built as.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string SiloDll => Built("src/OrleansLog.Silo", "OrleansLog.Silo.dll");

    public static string CliDll => Built("src/OrleansLog.Cli", "orleanslog.dll");

    public static string WebDll => Built("src/OrleansLog.Web", "OrleansLog.Web.dll");

    public static string BenchmarksDll => Built("test/OrleansLog.Benchmarks", "OrleansLog.Benchmarks.dll");

    public static string TransactionProcessorDll => Built("test/OrleansLog.TransactionProcessor", "OrleansLog.TransactionProcessor.dll");

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} is not built; run dotnet build OrleansLog.sln first.", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansLog.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("OrleansLog.sln not found above " + AppContext.BaseDirectory);
    }
}
