using OrleansLog.Testing;
using static OrleansLog.Testing.CliAssert;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>The CLI's commands and its one-line errors with specific exit codes, against a real broker process.</summary>
public class CliTests(BrokerProcessFixture broker) : IClassFixture<BrokerProcessFixture>
{
    [Fact]
    public async Task Topics_can_be_created_listed_described_altered_and_deleted()
    {
        Ok(await broker.Cli("topics", "create", "cli-topic", "--partitions", "2", "--config", "retention.ms=60000"));
        Assert.Contains("cli-topic", (await broker.Cli("topics", "list")).Stdout.Split('\n'));
        Ok(await broker.Cli("topics", "alter", "cli-topic", "--partitions", "3", "--config", "segment.bytes=1048576"));
        var described = Ok(await broker.Cli("topics", "describe", "cli-topic"));
        Assert.Contains("Partitions: 3", described.Stdout, StringComparison.Ordinal);
        Assert.Contains("retention.ms=60000 (set)", described.Stdout, StringComparison.Ordinal);
        Assert.Contains("segment.bytes=1048576 (set)", described.Stdout, StringComparison.Ordinal);
        Ok(await broker.Cli("topics", "delete", "cli-topic"));
        Assert.DoesNotContain("cli-topic", (await broker.Cli("topics", "list")).Stdout.Split('\n'));
    }

    [Fact]
    public async Task A_compacted_topic_shows_its_policy_and_dirty_ratio_and_refuses_records_without_a_key()
    {
        Ok(await broker.Cli("topics", "create", "cli-compacted", "--config", "cleanup.policy=compact", "--config", "segment.bytes=1024"));
        using var temp = new TempDirectory();
        var keyed = temp.Sub("keyed.txt");
        await File.WriteAllLinesAsync(keyed, Enumerable.Range(0, 40).Select(i => $"k{i % 2}={i}"));
        Ok(await CliRunner.RunAsync(broker.Silo.Gateway, keyed, "produce", "cli-compacted", "--key-separator", "="));

        var described = Ok(await broker.Cli("topics", "describe", "cli-compacted")).Stdout;
        Assert.Contains("CleanupPolicy: compact", described, StringComparison.Ordinal);
        var header = described.Split('\n').Single(l => l.StartsWith("Partition", StringComparison.Ordinal));
        Assert.EndsWith("DirtyRatio", header.TrimEnd(), StringComparison.Ordinal);
        var row = described.Split('\n').SkipWhile(l => l != header).Skip(1).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(double.Parse(row[^1], System.Globalization.CultureInfo.InvariantCulture), 0, 1);

        var unkeyed = temp.Sub("unkeyed.txt");
        await File.WriteAllLinesAsync(unkeyed, ["no key here"]);
        Error(await CliRunner.RunAsync(broker.Silo.Gateway, unkeyed, "produce", "cli-compacted"), 1, "INVALID_RECORD");
    }

    [Fact]
    public async Task Describe_shows_leader_epoch_replicas_and_isr_and_brokers_list_shows_this_broker()
    {
        Ok(await broker.Cli("topics", "create", "led", "--partitions", "2"));
        var described = Ok(await broker.Cli("topics", "describe", "led")).Stdout;
        Assert.Contains("ReplicationFactor: 1", described, StringComparison.Ordinal);
        var rows = described.Split('\n').SkipWhile(l => !l.StartsWith("Partition", StringComparison.Ordinal)).Skip(1)
            .Where(l => l.Length > 0).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal([["0", "0", "0", "0", "0"], ["1", "0", "0", "0", "0"]], rows.Select(r => r[..5]).ToArray());

        var brokers = Ok(await broker.Cli("brokers", "list")).Stdout;
        Assert.Matches(@"(?m)^0\s+alive\s+S127\.0\.0\.1:", brokers);
        Assert.Contains("Moved the leaders of 0 partitions", Ok(await broker.Cli("topics", "elect-leaders", "led")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_are_set_from_standard_input_listed_without_secrets_and_deleted()
    {
        using var temp = new TempDirectory();
        var password = temp.Sub("password.txt");
        await File.WriteAllTextAsync(password, "s3cret\n");
        Ok(await CliRunner.RunAsync(broker.Silo.Gateway, password, "users", "create", "carol", "--mechanism", "SCRAM-SHA-512", "--password-stdin", "--iterations", "8192"));

        var listed = Ok(await broker.Cli("users", "list")).Stdout;
        Assert.Matches(@"(?m)^carol\s+SCRAM-SHA-512\s+8192", listed);
        Assert.DoesNotContain("s3cret", listed, StringComparison.Ordinal);

        Ok(await broker.Cli("users", "delete", "carol", "--mechanism", "SCRAM-SHA-512"));
        Error(await broker.Cli("users", "delete", "carol", "--mechanism", "SCRAM-SHA-512"), 1, "RESOURCE_NOT_FOUND");
        Error(await CliRunner.RunAsync(broker.Silo.Gateway, password, "users", "set", "carol", "--mechanism", "SCRAM-SHA-1"), 1, "UNSUPPORTED_SASL_MECHANISM");
        Error(await CliRunner.RunAsync(broker.Silo.Gateway, password, "users", "set", "carol", "--iterations", "1000"), 1, "UNACCEPTABLE_CREDENTIAL");
        Error(await broker.Cli("users", "set", "carol"), 2, "standard input");
    }

    [Fact]
    public async Task Acls_are_added_listed_and_deleted_and_a_bad_one_is_one_line()
    {
        Ok(await broker.Cli("acls", "add", "--principal", "User:erin", "--operation", "Read", "--topic", "audit", "--prefixed"));
        Ok(await broker.Cli("acls", "create", "--principal", "User:erin", "--operation", "Write", "--topic", "audit-raw", "--deny"));
        var listed = Ok(await broker.Cli("acls", "list", "--topic", "audit-raw")).Stdout;
        Assert.Contains("Allow User:erin from * Read on Topic prefixed \"audit\"", listed, StringComparison.Ordinal);
        Assert.Contains("Deny User:erin from * Write on Topic \"audit-raw\"", listed, StringComparison.Ordinal);

        Assert.Contains("Deleted 1 ACL(s).", Ok(await broker.Cli("acls", "delete", "--topic", "audit", "--prefixed")).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("prefixed", Ok(await broker.Cli("acls", "list", "--principal", "User:erin")).Stdout, StringComparison.Ordinal);

        Error(await broker.Cli("acls", "add", "--principal", "erin", "--operation", "Read", "--topic", "audit"), 1, "principal");
        Error(await broker.Cli("acls", "add", "--principal", "User:erin", "--operation", "Read"), 2, "--topic");
        Error(await broker.Cli("acls", "add", "--principal", "User:erin", "--operation", "Fly", "--topic", "audit"), 2, "operation");
    }

    [Fact]
    public async Task Quotas_are_set_listed_and_deleted_and_a_bad_one_is_one_line()
    {
        Ok(await broker.Cli("quotas", "set", "--client-id", "cli-quota", "--producer-byte-rate", "1048576", "--request-percentage", "50"));
        Ok(await broker.Cli("quotas", "set", "--user", "frank", "--default-client-id", "--consumer-byte-rate", "2048"));
        var listed = Ok(await broker.Cli("quotas", "list")).Stdout;
        Assert.Contains("client-id=cli-quota: producer_byte_rate=1048576, request_percentage=50", listed, StringComparison.Ordinal);
        Assert.Contains("user=frank, client-id=<default>: consumer_byte_rate=2048", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("cli-quota", Ok(await broker.Cli("quotas", "list", "--user", "frank")).Stdout, StringComparison.Ordinal);

        Ok(await broker.Cli("quotas", "delete", "--client-id", "cli-quota"));
        Assert.DoesNotContain("cli-quota", Ok(await broker.Cli("quotas", "list")).Stdout, StringComparison.Ordinal);

        Error(await broker.Cli("quotas", "set", "--client-id", "cli-quota", "--producer-byte-rate", "-5"), 1, "positive");
        Error(await broker.Cli("quotas", "set", "--producer-byte-rate", "5"), 2, "--client-id");
        Error(await broker.Cli("quotas", "set", "--client-id", "cli-quota"), 2, "--producer-byte-rate");
    }

    [Fact]
    public async Task More_replicas_than_brokers_is_one_line_and_exit_code_1() =>
        Error(await broker.Cli("topics", "create", "over-replicated", "--replication-factor", "3"), 1, "INVALID_REPLICATION_FACTOR");

    [Fact]
    public async Task Keyed_lines_are_produced_and_consumed_with_metadata()
    {
        Ok(await broker.Cli("topics", "create", "keyed", "--partitions", "1"));
        using var temp = new TempDirectory();
        var input = temp.Sub("in.txt");
        await File.WriteAllLinesAsync(input, ["alpha=1", "beta=2"]);
        Ok(await CliRunner.RunAsync(broker.Silo.Gateway, input, "produce", "keyed", "--key-separator", "="));
        var consumed = Ok(await broker.Cli("consume", "keyed", "--from-beginning", "--print-metadata"));
        var lines = consumed.Stdout.Trim().Split('\n').Select(l => l.Split('\t')).ToArray();
        Assert.Equal(["0", "0", "alpha", "1"], [lines[0][0], lines[0][1], lines[0][3], lines[0][4]]);
        Assert.Equal(["0", "1", "beta", "2"], [lines[1][0], lines[1][1], lines[1][3], lines[1][4]]);
        Assert.Equal("2", Ok(await broker.Cli("consume", "keyed", "--partition", "0", "--offset", "1")).Stdout.Trim());
        Assert.Equal("1", Ok(await broker.Cli("consume", "keyed", "--from-beginning", "--max", "1")).Stdout.Trim());
    }

    [Fact]
    public async Task An_unknown_topic_is_one_line_and_exit_code_1() =>
        Error(await broker.Cli("consume", "no-such-topic", "--from-beginning"), 1, "UNKNOWN_TOPIC_OR_PARTITION");

    [Fact]
    public async Task An_invalid_topic_name_is_one_line_and_exit_code_1() =>
        Error(await broker.Cli("topics", "create", "bad name"), 1, "INVALID_TOPIC_EXCEPTION");

    [Fact]
    public async Task An_invalid_config_is_refused_naming_it() =>
        Error(await broker.Cli("topics", "create", "bad-config", "--config", "retention.ms=soon"), 1, "retention.ms");

    [Fact]
    public async Task Shrinking_partitions_is_refused()
    {
        Ok(await broker.Cli("topics", "create", "no-shrink", "--partitions", "2"));
        Error(await broker.Cli("topics", "alter", "no-shrink", "--partitions", "1"), 1, "INVALID_PARTITIONS");
    }

    [Fact]
    public async Task A_config_that_is_not_key_value_is_a_usage_error() =>
        Error(await broker.Cli("topics", "create", "x", "--config", "retention.ms"), 2, "key=value");

    [Fact]
    public async Task An_unknown_command_is_a_usage_error() =>
        Error(await broker.Cli("topics", "frobnicate"), 2, "orleanslog --help");

    [Fact]
    public async Task An_unreachable_broker_is_one_line_and_exit_code_3() =>
        Error(await CliRunner.RunAsync($"127.0.0.1:{FreePort.Next()}", null, "topics", "list"), 3, "cannot reach the broker");

    [Fact]
    public async Task A_line_without_the_key_separator_stops_with_exit_code_4_and_keeps_what_came_before()
    {
        Ok(await broker.Cli("topics", "create", "separators", "--partitions", "1"));
        using var temp = new TempDirectory();
        var input = temp.Sub("in.txt");
        await File.WriteAllLinesAsync(input, ["a:1", "b:2", "no separator here", "c:3"]);
        Error(await CliRunner.RunAsync(broker.Silo.Gateway, input, "produce", "separators", "-k", ":"), 4, "line 3");
        Assert.Equal(["1", "2"], Ok(await broker.Cli("consume", "separators", "--from-beginning")).Stdout.Trim().Split('\n'));
    }

    [Fact]
    public async Task Acks_takes_all_like_kafka_and_refuses_other_words()
    {
        Ok(await broker.Cli("topics", "create", "acks-all", "--partitions", "1"));
        using var temp = new TempDirectory();
        var input = temp.Sub("in.txt");
        await File.WriteAllLinesAsync(input, ["durable"]);
        Ok(await CliRunner.RunAsync(broker.Silo.Gateway, input, "produce", "acks-all", "--acks", "all"));
        Assert.Equal("durable", Ok(await broker.Cli("consume", "acks-all", "--from-beginning")).Stdout.Trim());
        Error(await CliRunner.RunAsync(broker.Silo.Gateway, input, "produce", "acks-all", "--acks", "most"), 2, "--acks most");
    }

    [Fact]
    public async Task A_partition_outside_the_topic_is_a_usage_error()
    {
        Ok(await broker.Cli("topics", "create", "one-part", "--partitions", "1"));
        Error(await broker.Cli("consume", "one-part", "--partition", "5"), 2, "outside");
    }

    [Fact]
    public async Task Groups_can_be_listed_described_reset_and_deleted()
    {
        Ok(await broker.Cli("topics", "create", "grouped", "--partitions", "2"));
        using var temp = new TempDirectory();
        var input = temp.Sub("in.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, 10).Select(i => $"k{i}={i}"));
        Ok(await CliRunner.RunAsync(broker.Silo.Gateway, input, "produce", "grouped", "--key-separator", "="));

        var consumed = Ok(await broker.Cli("consume", "grouped", "--group", "cli-group", "--from-beginning", "--timeout-ms", "3000"));
        Assert.Equal(10, consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("cli-group", Ok(await broker.Cli("groups", "list")).Stdout.Split('\n'));
        var described = Ok(await broker.Cli("groups", "describe", "cli-group"));
        Assert.Contains("State: Empty", described.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, described.Stdout.Split('\n').Count(line => line.StartsWith("grouped ", StringComparison.Ordinal) && line.TrimEnd().EndsWith("0  -", StringComparison.Ordinal)));

        var plan = Ok(await broker.Cli("groups", "reset-offsets", "cli-group", "--topic", "grouped", "--to-earliest"));
        Assert.Contains("Not applied", plan.Stdout, StringComparison.Ordinal);
        Assert.Empty(Ok(await broker.Cli("consume", "grouped", "--group", "cli-group", "--timeout-ms", "500")).Stdout.Trim());
        Ok(await broker.Cli("groups", "reset-offsets", "cli-group", "--topic", "grouped", "--to-earliest", "--execute"));
        Assert.Equal(10, Ok(await broker.Cli("consume", "grouped", "--group", "cli-group", "--timeout-ms", "3000")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        Ok(await broker.Cli("groups", "delete", "cli-group"));
        Error(await broker.Cli("groups", "describe", "cli-group"), 1, "GROUP_ID_NOT_FOUND");
    }

    [Fact]
    public async Task Reset_offsets_needs_exactly_one_target_and_a_valid_time()
    {
        Error(await broker.Cli("groups", "reset-offsets", "g", "--topic", "t"), 2, "exactly one");
        Error(await broker.Cli("groups", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest"), 2, "exactly one");
        Error(await broker.Cli("groups", "reset-offsets", "g", "--topic", "t", "--to-datetime", "yesterday"), 2, "--to-datetime");
    }

    [Fact]
    public async Task A_group_with_a_partition_option_is_a_usage_error() =>
        Error(await broker.Cli("consume", "no-topic-needed", "--group", "g", "--partition", "0"), 2, "--group");

}
