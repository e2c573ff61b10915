using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Connect.Files;
using OrleansLog.Connect.Hosting;
using OrleansLog.Connect.Plugins;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary>Every validation rule of a connector's configuration, each reported on its own field.</summary>
public sealed class ConnectorConfigTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly ConnectContext _context;

    public ConnectorConfigTests()
    {
        _context = new ConnectContext(new ConnectOptions { FileRoots = [_root.Path], MaxTasksPerConnector = 8 }, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public void A_good_configuration_has_no_errors()
    {
        var validation = Validate(new FileStreamSinkConnector(), Sink());

        Assert.Equal(0, validation.ErrorCount);
        Assert.Contains(validation.Configs, c => c.Definition.Name == "file" && c.Value.Value == _root.Sub("out.txt"));
        Assert.Contains("Common", validation.Groups);
    }

    [Theory]
    [InlineData("tasks.max", "many", "Expected value to be a 32-bit integer")]
    [InlineData("tasks.max", "0", "Value must be between 1 and 8")]
    [InlineData("tasks.max", "9", "Value must be between 1 and 8")]
    [InlineData("errors.tolerance", "some", "String must be one of: none, all")]
    [InlineData("errors.retry.timeout", "-2", "Value must be at least -1")]
    [InlineData("errors.log.enable", "yes", "Expected value to be either true or false")]
    [InlineData("value.converter", "com.example.Nope", "Unknown converter class")]
    [InlineData("value.converter.schemas.enable", "maybe", "schemas.enable")]
    [InlineData("topics.regex", "([a-z", "Invalid regular expression")]
    [InlineData("errors.deadletterqueue.topic.replication.factor", "0", "Value must be -1 or at least 1")]
    public void Each_bad_value_is_an_error_on_its_field(string field, string value, string error)
    {
        var config = Sink();
        config[field] = value;
        if (field == "topics.regex")
        {
            config.Remove("topics");
        }

        if (field == "value.converter.schemas.enable")
        {
            config["value.converter"] = "org.apache.kafka.connect.json.JsonConverter";
        }

        var validation = Validate(new FileStreamSinkConnector(), config);

        var reported = field == "value.converter.schemas.enable" ? "value.converter" : field;
        var errors = Assert.Single(validation.Configs, c => c.Definition.Name == reported).Value.Errors;
        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
        Assert.Equal(1, validation.ErrorCount);
    }

    [Fact]
    public void Missing_required_settings_are_each_reported()
    {
        var validation = Validate(new FileStreamSourceConnector(), new() { ["connector.class"] = "FileStreamSource" });

        Assert.Equal(["file", "name", "topic"], validation.Configs.Where(c => c.Value.Errors.Length > 0).Select(c => c.Definition.Name).Order());
        Assert.All(validation.Configs.Where(c => c.Value.Errors.Length > 0), c => Assert.StartsWith("Missing required configuration", c.Value.Errors[0], StringComparison.Ordinal));
    }

    [Fact]
    public void A_sink_needs_exactly_one_of_topics_and_topics_regex()
    {
        var neither = Sink();
        neither.Remove("topics");
        var both = Sink();
        both["topics.regex"] = "lines.*";

        Assert.Contains("Must configure one of topics or topics.regex", ErrorsOf(Validate(new FileStreamSinkConnector(), neither), "topics"));
        Assert.Contains("topics and topics.regex are mutually exclusive options, but both are set.", ErrorsOf(Validate(new FileStreamSinkConnector(), both), "topics"));
    }

    [Fact]
    public void The_dead_letter_topic_may_not_be_one_the_sink_reads()
    {
        var config = Sink();
        config["errors.deadletterqueue.topic.name"] = "lines";

        Assert.Single(ErrorsOf(Validate(new FileStreamSinkConnector(), config), "errors.deadletterqueue.topic.name"));
    }

    [Fact]
    public void Transforms_and_predicates_are_checked_field_by_field()
    {
        var config = Sink();
        config["transforms"] = "route,drop,broken";
        config["transforms.route.type"] = "org.apache.kafka.connect.transforms.RegexRouter";
        config["transforms.route.regex"] = "(unclosed";
        config["transforms.drop.type"] = "Filter";
        config["transforms.drop.predicate"] = "missing";
        config["transforms.broken.type"] = "com.example.Nope";

        var validation = Validate(new FileStreamSinkConnector(), config);

        Assert.Contains(ErrorsOf(validation, "transforms.route.regex"), e => e.Contains("Invalid regular expression", StringComparison.Ordinal));
        Assert.Contains(ErrorsOf(validation, "transforms.route.replacement"), e => e.StartsWith("Missing required configuration", StringComparison.Ordinal));
        Assert.Contains(ErrorsOf(validation, "transforms.drop.predicate"), e => e.Contains("is not in predicates", StringComparison.Ordinal));
        Assert.Contains(ErrorsOf(validation, "transforms.broken.type"), e => e.Contains("could not be found", StringComparison.Ordinal));
        Assert.Equal(4, validation.ErrorCount);
    }

    [Fact]
    public void A_file_outside_the_roots_is_refused_on_its_field()
    {
        var config = Sink();
        config["file"] = "/etc/passwd";

        Assert.Contains(ErrorsOf(Validate(new FileStreamSinkConnector(), config), "file"), e => e.Contains("not under a folder file connectors may use", StringComparison.Ordinal));
    }

    [Fact]
    public void A_name_with_a_slash_or_a_huge_configuration_is_refused()
    {
        var slash = Sink();
        slash["name"] = "a/b";
        var huge = Sink();
        for (var i = 0; i < 1_001; i++)
        {
            huge[$"extra.{i}"] = "x";
        }

        Assert.Contains(ErrorsOf(Validate(new FileStreamSinkConnector(), slash), "name"), e => e.Contains("'/'", StringComparison.Ordinal));
        Assert.Contains(ErrorsOf(Validate(new FileStreamSinkConnector(), huge), "name"), e => e.Contains("at most 1000 entries", StringComparison.Ordinal));
    }

    [Fact]
    public void Plugins_are_found_by_class_short_name_and_alias()
    {
        var plugins = ConnectorPlugins.Shipped;

        Assert.IsType<FileStreamSourceConnector>(plugins.Find("org.apache.kafka.connect.file.FileStreamSourceConnector"));
        Assert.IsType<FileStreamSourceConnector>(plugins.Find("FileStreamSourceConnector"));
        Assert.IsType<FileStreamSinkConnector>(plugins.Find("FileStreamSink"));
        Assert.Null(plugins.Find("FileStream"));
    }

    private Dictionary<string, string> Sink() => new(StringComparer.Ordinal)
    {
        ["name"] = "sink",
        ["connector.class"] = "FileStreamSink",
        ["topics"] = "lines",
        ["file"] = _root.Sub("out.txt"),
    };

    private ConfigValidation Validate(ConnectorPlugin plugin, Dictionary<string, string> config) => ConnectorConfigs.Validate(plugin, config, _context);

    private static System.Collections.Immutable.ImmutableArray<string> ErrorsOf(ConfigValidation validation, string field) =>
        Assert.Single(validation.Configs, c => c.Definition.Name == field).Value.Errors;
}
