using OrleansLog.Connect.Files;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

public sealed class FileRootsTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void A_file_under_a_root_is_allowed()
    {
        Assert.Null(FileRoots.Check(_root.Sub("a/b.txt"), [_root.Path]));
    }

    [Fact]
    public void No_roots_turn_file_connectors_off()
    {
        Assert.Contains("off on this cluster", FileRoots.Check(_root.Sub("a.txt"), []), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("relative.txt")]
    [InlineData("/etc/passwd")]
    public void Relative_paths_and_files_outside_are_refused(string file)
    {
        Assert.NotNull(FileRoots.Check(file, [_root.Path]));
    }

    [Fact]
    public void Climbing_out_with_dot_dot_is_refused()
    {
        Assert.NotNull(FileRoots.Check(_root.Path + "/../../etc/passwd", [_root.Path]));
        Assert.NotNull(FileRoots.Check(_root.Path + "-sibling/a.txt", [_root.Path]));
    }

    [Fact]
    public void A_symbolic_link_below_the_root_is_refused()
    {
        Directory.CreateSymbolicLink(_root.Sub("escape"), "/etc");
        File.CreateSymbolicLink(_root.Sub("passwd"), "/etc/passwd");

        Assert.Contains("symbolic link", FileRoots.Check(_root.Sub("escape/passwd"), [_root.Path]), StringComparison.Ordinal);
        Assert.Contains("symbolic link", FileRoots.Check(_root.Sub("passwd"), [_root.Path]), StringComparison.Ordinal);
    }
}
