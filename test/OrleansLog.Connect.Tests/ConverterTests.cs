using System.Text;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Tests;

public sealed class ConverterTests
{
    private static readonly ConnectSchema Person = ConnectSchema.Struct("person",
        new ConnectField("id", new ConnectSchema(ConnectTypes.Int64)),
        new ConnectField("name", new ConnectSchema(ConnectTypes.String, Optional: true)),
        new ConnectField("photo", new ConnectSchema(ConnectTypes.Bytes, Optional: true)));

    [Fact]
    public void Json_with_schemas_writes_Kafka_Connects_envelope_and_reads_it_back_typed()
    {
        var converter = new JsonConverter(schemasEnabled: true);
        var value = new ConnectStruct { ["id"] = 7L, ["name"] = "ada", ["photo"] = new byte[] { 1, 2 } };

        var bytes = converter.FromConnect("t", Person, value)!;
        var (schema, back) = converter.ToConnect("t", bytes);

        Assert.Equal(
            """{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"bytes","optional":true,"field":"photo"}],"optional":false,"name":"person"},"payload":{"id":7,"name":"ada","photo":"AQI="}}""",
            Encoding.UTF8.GetString(bytes));
        Assert.Equal((ConnectTypes.Struct, "person"), (schema!.Type, schema.Name));
        Assert.Equal(Person.Fields.Select(f => (f.Name, f.Schema.Type, f.Schema.Optional)), schema.Fields.Select(f => (f.Name, f.Schema.Type, f.Schema.Optional)));
        var fields = Assert.IsType<ConnectStruct>(back);
        Assert.Equal(7L, fields["id"]);
        Assert.Equal("ada", fields["name"]);
        Assert.Equal(new byte[] { 1, 2 }, fields["photo"]);
    }

    [Fact]
    public void Json_without_schemas_reads_plain_documents()
    {
        var converter = new JsonConverter(schemasEnabled: false);

        var (schema, value) = converter.ToConnect("t", Encoding.UTF8.GetBytes("""{"a":1,"b":[true,2.5,"x"],"c":null}"""));

        Assert.Null(schema);
        var fields = Assert.IsType<ConnectStruct>(value);
        Assert.Equal(1L, fields["a"]);
        Assert.Equal(new object?[] { true, 2.5, "x" }, Assert.IsType<List<object?>>(fields["b"]));
        Assert.Null(fields["c"]);
        Assert.Equal("""{"a":1,"b":[true,2.5,"x"],"c":null}""", Encoding.UTF8.GetString(converter.FromConnect("t", null, value)!));
    }

    [Fact]
    public void A_tombstone_stays_null_both_ways()
    {
        var converter = new JsonConverter(schemasEnabled: true);

        Assert.Null(converter.FromConnect("t", Person, null));
        Assert.Equal((null, null), converter.ToConnect("t", null));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"payload":1}""")]
    [InlineData("""{"schema":{"type":"int64"},"payload":"x"}""")]
    [InlineData("""{"schema":{"type":"struct","fields":[{"type":"int64","field":"id"}]},"payload":{}}""")]
    [InlineData("""{"schema":{"type":"decimal128"},"payload":1}""")]
    public void Bytes_the_json_converter_cannot_read_are_a_data_error(string text)
    {
        Assert.Throws<DataException>(() => new JsonConverter(schemasEnabled: true).ToConnect("t", Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void A_document_nested_past_the_parsers_depth_is_refused_not_recursed()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        Assert.Throws<DataException>(() => new JsonConverter(schemasEnabled: false).ToConnect("t", Encoding.UTF8.GetBytes(deep)));
    }

    [Fact]
    public void String_and_bytes_converters_pass_text_and_bytes()
    {
        Assert.Equal("héllo", StringConverter.ToConnect("t", Encoding.UTF8.GetBytes("héllo")).Value);
        Assert.Equal("42", Encoding.UTF8.GetString(StringConverter.FromConnect("t", null, 42L)!));
        Assert.Equal(new byte[] { 9 }, ByteArrayConverter.ToConnect("t", new byte[] { 9 }).Value);
        Assert.Throws<DataException>(() => ByteArrayConverter.FromConnect("t", null, "text"));
    }

    [Fact]
    public void Converters_are_found_by_Kafkas_names()
    {
        var store = new MemorySchemaStore();
        Assert.IsType<JsonConverter>(ConverterFactory.Create("org.apache.kafka.connect.json.JsonConverter", new Dictionary<string, string> { ["schemas.enable"] = "false" }, isKey: false, store));
        Assert.IsType<StringConverter>(ConverterFactory.Create("StringConverter", new Dictionary<string, string>(), isKey: true, store));
        Assert.IsType<AvroConverter>(ConverterFactory.Create("io.confluent.connect.avro.AvroConverter", new Dictionary<string, string>(), isKey: false, store));
        Assert.Null(ConverterFactory.Check("io.confluent.connect.json.JsonSchemaConverter", new Dictionary<string, string> { ["schema.registry.url"] = "http://ignored" }));
        Assert.NotNull(ConverterFactory.Check("io.confluent.connect.protobuf.ProtobufConverter", new Dictionary<string, string>()));
    }
}
