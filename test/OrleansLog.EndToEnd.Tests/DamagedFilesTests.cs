using OrleansLog.Testing;
using static OrleansLog.Testing.CliAssert;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>
/// A broker whose grain state or partition metadata fails its checksum does not start: it exits 1 with
/// one line naming the file and what to do, instead of reading the file as empty (an empty coordinator,
/// whose next sweep would set every partition aside). Restored, the same files start it again.
/// </summary>
public class DamagedFilesTests
{
    [Theory]
    [InlineData("state", "*.state", "grain state")]
    [InlineData("logs/damaged-0", "partition.metadata", "partition metadata")]
    public async Task A_flipped_bit_stops_the_broker_with_one_line_naming_the_file(string folder, string pattern, string what)
    {
        using var temp = new TempDirectory();
        var data = temp.Sub("data");
        var input = temp.Sub("lines.txt");
        await File.WriteAllLinesAsync(input, ["a", "b"]);
        await using (var broker = await SiloProcess.StartAsync(data))
        {
            Ok(await CliRunner.RunAsync(broker.Gateway, null, "topics", "create", "damaged", "--partitions", "1"));
            Ok(await CliRunner.RunAsync(broker.Gateway, input, "produce", "damaged"));
            await broker.StopAsync();
        }

        var files = Directory.GetFiles(Path.Combine(data, folder), pattern);
        Assert.NotEmpty(files);
        var originals = files.ToDictionary(f => f, File.ReadAllBytes);
        foreach (var file in files)
        {
            var bytes = originals[file].ToArray();
            bytes[^1] ^= 0x01;
            File.WriteAllBytes(file, bytes);
        }

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data));

        Assert.Contains("exited with code 1", failure.Message, StringComparison.Ordinal);
        var error = Assert.Single(failure.Message.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains(what, error, StringComparison.Ordinal);
        Assert.Contains("fails its checksum", error, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(files[0]) is var name && files.Length == 1 ? name : Path.GetDirectoryName(files[0])!, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", failure.Message, StringComparison.Ordinal);

        foreach (var (file, bytes) in originals)
        {
            File.WriteAllBytes(file, bytes);
        }

        await using var restored = await SiloProcess.StartAsync(data);
        Assert.Contains("b", Ok(await CliRunner.RunAsync(restored.Gateway, null, "consume", "damaged", "--from-beginning", "--max", "2")).Stdout.Split('\n'));
    }
}
