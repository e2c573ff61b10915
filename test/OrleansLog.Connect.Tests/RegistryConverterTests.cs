using System.Text.Json;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Tests;

/// <summary>The schema registry converters: Confluent's wire format, TopicNameStrategy subjects, typed round trips, and a schema looked up once.</summary>
public sealed class RegistryConverterTests
{
    private static readonly ConnectSchema Address = ConnectSchema.Struct("shop.Address", new ConnectField("city", new ConnectSchema(ConnectTypes.String)));

    private static readonly ConnectSchema Order = ConnectSchema.Struct("shop.public.orders.Value",
        new ConnectField("id", new ConnectSchema(ConnectTypes.Int32)),
        new ConnectField("total", new ConnectSchema(ConnectTypes.Int64, Optional: true)),
        new ConnectField("rate", new ConnectSchema(ConnectTypes.Float64)),
        new ConnectField("paid", new ConnectSchema(ConnectTypes.Boolean)),
        new ConnectField("note", new ConnectSchema(ConnectTypes.String, Optional: true)),
        new ConnectField("blob", new ConnectSchema(ConnectTypes.Bytes, Optional: true)),
        new ConnectField("tags", new ConnectSchema(ConnectTypes.Array) { Items = new ConnectSchema(ConnectTypes.String) }),
        new ConnectField("ship_to", Address));

    private static ConnectStruct Value(long id, string? note) => new()
    {
        ["id"] = id,
        ["total"] = note is null ? null : 1234L,
        ["rate"] = 0.25,
        ["paid"] = true,
        ["note"] = note,
        ["blob"] = new byte[] { 1, 2, 3 },
        ["tags"] = new List<object?> { "a", "b" },
        ["ship_to"] = new ConnectStruct { ["city"] = "Lyon" },
    };

    public static TheoryData<string> Converters => [AvroConverter.ClassName, JsonSchemaConverter.ClassName];

    [Theory]
    [MemberData(nameof(Converters))]
    public async Task A_struct_goes_through_the_wire_format_and_back_with_its_types(string className)
    {
        var store = new MemorySchemaStore();
        var writer = ConverterFactory.Create(className, new Dictionary<string, string>(), isKey: false, store);
        var reader = ConverterFactory.Create(className, new Dictionary<string, string>(), isKey: false, store);

        var first = (await writer.FromConnectAsync("orders", Order, Value(1, "gift")))!;
        var second = (await writer.FromConnectAsync("orders", Order, Value(2, null)))!;
        var (schema, back) = await reader.ToConnectAsync("orders", first);
        var (_, backSecond) = await reader.ToConnectAsync("orders", second);

        Assert.Equal(0, first[0]);
        Assert.Equal([0, 0, 0, 1], first[1..5]);
        Assert.Equal(("orders-value", 1), Assert.Single(store.Registrations));
        Assert.Equal(1, store.Lookups);
        var fields = Assert.IsType<ConnectStruct>(back);
        Assert.Equal((1L, 1234L, 0.25, true, "gift"), ((long)fields["id"]!, (long)fields["total"]!, (double)fields["rate"]!, (bool)fields["paid"]!, (string)fields["note"]!));
        Assert.Equal(new byte[] { 1, 2, 3 }, fields["blob"]);
        Assert.Equal(new object?[] { "a", "b" }, Assert.IsType<List<object?>>(fields["tags"]));
        Assert.Equal("Lyon", Assert.IsType<ConnectStruct>(fields["ship_to"])["city"]);
        Assert.Null(Assert.IsType<ConnectStruct>(backSecond)["note"]);
        Assert.Equal(Order.Fields.Select(f => (f.Name, f.Schema.Type, f.Schema.Optional)), schema!.Fields.Select(f => (f.Name, f.Schema.Type, f.Schema.Optional)));
    }

    [Fact]
    public async Task Avro_registers_a_record_schema_Confluents_tools_can_read()
    {
        var store = new MemorySchemaStore();
        await new AvroConverter(store, isKey: true).FromConnectAsync("orders", ConnectSchema.Struct("shop.public.orders.Key", new ConnectField("id", new ConnectSchema(ConnectTypes.Int32))), new ConnectStruct { ["id"] = 7L });

        using var schema = JsonDocument.Parse(store.Text(1));
        Assert.Equal(("orders-key", 1), Assert.Single(store.Registrations));
        Assert.Equal(("record", "Key", "shop.public.orders"), (schema.RootElement.GetProperty("type").GetString(), schema.RootElement.GetProperty("name").GetString(), schema.RootElement.GetProperty("namespace").GetString()));
        Assert.Equal("int", schema.RootElement.GetProperty("fields")[0].GetProperty("type").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Tombstones_stay_null_and_bytes_that_are_not_the_wire_format_are_a_data_error()
    {
        var converter = new JsonSchemaConverter(new MemorySchemaStore(), isKey: false);

        Assert.Null(await converter.FromConnectAsync("t", Order, null));
        Assert.Equal((null, null), await converter.ToConnectAsync("t", null));
        await Assert.ThrowsAsync<DataException>(async () => await converter.ToConnectAsync("t", "{\"plain\":1}"u8.ToArray()));
        await Assert.ThrowsAsync<DataException>(async () => await converter.ToConnectAsync("t", [0, 0, 0, 0, 9, 1]));
        await Assert.ThrowsAsync<DataException>(async () => await converter.FromConnectAsync("t", null, new ConnectStruct()));
    }
}
