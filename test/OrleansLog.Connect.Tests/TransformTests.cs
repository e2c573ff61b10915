using System.Collections.Immutable;
using System.Text.Json.Nodes;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Transforms;

namespace OrleansLog.Connect.Tests;

public sealed class TransformTests
{
    private static readonly ConnectSchema OrderSchema = ConnectSchema.Struct("order",
        new ConnectField("id", new ConnectSchema(ConnectTypes.Int64)),
        new ConnectField("customer", new ConnectSchema(ConnectTypes.String)),
        new ConnectField("secret", new ConnectSchema(ConnectTypes.String, Optional: true)));

    private static SinkRecord Order(long id = 1, string topic = "orders") =>
        new(topic, 2, 40, null, null, OrderSchema, new ConnectStruct { ["id"] = id, ["customer"] = "ada", ["secret"] = "s" }, 1_700_000_000_000);

    [Fact]
    public void InsertField_adds_topic_partition_offset_timestamp_and_a_static_value()
    {
        var record = Chain(new()
        {
            ["transforms"] = "insert",
            ["transforms.insert.type"] = "org.apache.kafka.connect.transforms.InsertField$Value",
            ["transforms.insert.topic.field"] = "t",
            ["transforms.insert.partition.field"] = "p",
            ["transforms.insert.offset.field"] = "o",
            ["transforms.insert.timestamp.field"] = "ts",
            ["transforms.insert.static.field"] = "source",
            ["transforms.insert.static.value"] = "crm",
        }).Apply(Order())!;

        var value = Assert.IsType<ConnectStruct>(record.Value);
        Assert.Equal(["id", "customer", "secret", "t", "p", "o", "ts", "source"], value.Keys);
        Assert.Equal(("orders", 2, 40L, 1_700_000_000_000L, "crm"), ((string)value["t"]!, (int)value["p"]!, (long)value["o"]!, (long)value["ts"]!, (string)value["source"]!));
        Assert.Equal(value.Keys, record.ValueSchema!.Fields.Select(f => f.Name));
    }

    [Fact]
    public void ReplaceField_drops_keeps_and_renames_in_value_and_schema()
    {
        var record = Chain(new()
        {
            ["transforms"] = "replace",
            ["transforms.replace.type"] = "ReplaceField$Value",
            ["transforms.replace.exclude"] = "secret",
            ["transforms.replace.renames"] = "customer:customer_name",
        }).Apply(Order())!;

        Assert.Equal(["id", "customer_name"], Assert.IsType<ConnectStruct>(record.Value).Keys);
        Assert.Equal(["id", "customer_name"], record.ValueSchema!.Fields.Select(f => f.Name));
    }

    [Fact]
    public void ValueToKey_then_ExtractField_makes_a_plain_key()
    {
        var record = Chain(new()
        {
            ["transforms"] = "key,extract",
            ["transforms.key.type"] = "ValueToKey",
            ["transforms.key.fields"] = "id",
            ["transforms.extract.type"] = "ExtractField$Key",
            ["transforms.extract.field"] = "id",
        }).Apply(Order(id: 99))!;

        Assert.Equal(99L, record.Key);
        Assert.Equal(ConnectTypes.Int64, record.KeySchema!.Type);
    }

    [Fact]
    public void Routers_rename_topics()
    {
        var regex = Chain(new()
        {
            ["transforms"] = "route",
            ["transforms.route.type"] = "RegexRouter",
            ["transforms.route.regex"] = "(.*)s",
            ["transforms.route.replacement"] = "$1-archive",
        });
        var stamped = Chain(new()
        {
            ["transforms"] = "stamp",
            ["transforms.stamp.type"] = "TimestampRouter",
            ["transforms.stamp.topic.format"] = "${topic}_${timestamp}",
            ["transforms.stamp.timestamp.format"] = "yyyy-MM-dd",
        });

        Assert.Equal("order-archive", regex.Apply(Order())!.Topic);
        Assert.Equal("other", regex.Apply(Order(topic: "other"))!.Topic);
        Assert.Equal("orders_2023-11-14", stamped.Apply(Order())!.Topic);
    }

    [Fact]
    public void Filter_with_a_predicate_drops_only_what_it_selects_and_negate_inverts()
    {
        var config = new Dictionary<string, string>
        {
            ["transforms"] = "drop",
            ["transforms.drop.type"] = "org.apache.kafka.connect.transforms.Filter",
            ["transforms.drop.predicate"] = "isTest",
            ["predicates"] = "isTest",
            ["predicates.isTest.type"] = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ["predicates.isTest.pattern"] = "test-.*",
        };
        var filter = Chain(config);
        config["transforms.drop.negate"] = "true";
        var keepOnly = Chain(config);

        Assert.Null(filter.Apply(Order(topic: "test-orders")));
        Assert.NotNull(filter.Apply(Order()));
        Assert.NotNull(keepOnly.Apply(Order(topic: "test-orders")));
        Assert.Null(keepOnly.Apply(Order()));
    }

    [Fact]
    public void Tombstone_and_header_predicates()
    {
        var tombstones = Chain(new()
        {
            ["transforms"] = "drop",
            ["transforms.drop.type"] = "Filter",
            ["transforms.drop.predicate"] = "gone",
            ["predicates"] = "gone",
            ["predicates.gone.type"] = "RecordIsTombstone",
        });
        var headers = Chain(new()
        {
            ["transforms"] = "drop",
            ["transforms.drop.type"] = "Filter",
            ["transforms.drop.predicate"] = "marked",
            ["predicates"] = "marked",
            ["predicates.marked.type"] = "HasHeaderKey",
            ["predicates.marked.name"] = "skip",
        });

        Assert.Null(tombstones.Apply(Order() with { Value = null }));
        Assert.NotNull(tombstones.Apply(Order()));
        Assert.Null(headers.Apply(Order() with { Headers = [KeyValuePair.Create<string, byte[]?>("skip", null)] }));
        Assert.NotNull(headers.Apply(Order()));
    }

    [Fact]
    public void A_field_transform_on_a_non_struct_is_a_data_error()
    {
        var chain = Chain(new() { ["transforms"] = "x", ["transforms.x.type"] = "ExtractField$Value", ["transforms.x.field"] = "id" });

        Assert.Throws<DataException>(() => chain.Apply(Order() with { Value = "plain text" }));
    }

    [Fact]
    public void A_source_record_keeps_its_source_partition_and_offset_through_transforms()
    {
        var chain = Chain(new() { ["transforms"] = "route", ["transforms.route.type"] = "RegexRouter", ["transforms.route.regex"] = ".*", ["transforms.route.replacement"] = "all" });
        var source = new SourceRecord(new JsonObject { ["file"] = "a" }, new JsonObject { ["position"] = 5 }, "lines", null, null, null, "x", null);

        var routed = Assert.IsType<SourceRecord>(chain.Apply(source));

        Assert.Equal("all", routed.Topic);
        Assert.Equal(5, routed.SourceOffset["position"]!.GetValue<int>());
    }

    private static TransformChain Chain(Dictionary<string, string> config) => TransformChain.Create(config.ToImmutableDictionary());
}
