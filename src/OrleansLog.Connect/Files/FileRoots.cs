namespace OrleansLog.Connect.Files;

/// <summary>
/// Keeps file connectors inside the folders the broker's operator allowed (<c>OrleansLog:Connect:FileRoots</c>): a file
/// must be under one of them, by its full path, with no symbolic link on the way below the root (a link could lead
/// anywhere the broker can read or write).
/// </summary>
public static class FileRoots
{
    /// <summary>What is wrong with using <paramref name="file"/>, or null.</summary>
    public static string? Check(string file, IReadOnlyList<string> roots)
    {
        if (roots.Count == 0)
        {
            return "File connectors are off on this cluster: the brokers' OrleansLog:Connect:FileRoots names no folder.";
        }

        if (!Path.IsPathFullyQualified(file))
        {
            return "The file must be an absolute path.";
        }

        var full = Path.GetFullPath(file);
        var root = roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)))
            .FirstOrDefault(r => full.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (root is null)
        {
            return $"The file is not under a folder file connectors may use ({string.Join(", ", roots)}).";
        }

        for (var path = full; path.Length > root.Length; path = Path.GetDirectoryName(path)!)
        {
            FileSystemInfo entry = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (entry.Exists && entry.LinkTarget is not null)
            {
                return $"{path} is a symbolic link; file connectors do not follow links.";
            }
        }

        return null;
    }
}
