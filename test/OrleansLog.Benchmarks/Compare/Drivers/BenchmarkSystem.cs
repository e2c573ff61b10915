namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>A system the comparison runs: its name (for --systems) and how to start its servers for a replication factor.</summary>
public sealed record BenchmarkSystem(string Name, Func<int, string, Task<IBenchmarkServers>> StartAsync);
