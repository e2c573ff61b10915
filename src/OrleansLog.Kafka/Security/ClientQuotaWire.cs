using OrleansLog.Kafka.Protocol;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Security;

/// <summary>The entity fields of DescribeClientQuotas and AlterClientQuotas (v0-1): a list of (type, name), a null name being the default.</summary>
internal static class ClientQuotaWire
{
    /// <summary>Reads an entity; null and the reason when a type is unknown or repeated.</summary>
    public static ClientQuotaEntity? ReadEntity(ref KafkaReader reader, bool flexible, out string? refusal)
    {
        string? user = null;
        string? clientId = null;
        refusal = null;
        var count = reader.ReadArrayLength(flexible);
        for (var i = 0; i < count; i++)
        {
            var type = reader.ReadString(flexible);
            var name = reader.ReadNullableString(flexible) ?? ClientQuotaEntity.Default;
            reader.SkipTaggedFields(flexible);
            switch (type)
            {
                case ClientQuotaEntity.UserType when user is null:
                    user = name;
                    break;
                case ClientQuotaEntity.ClientIdType when clientId is null:
                    clientId = name;
                    break;
                default:
                    refusal ??= $"entity type \"{type}\" is unknown or repeated; use {ClientQuotaEntity.UserType} and {ClientQuotaEntity.ClientIdType}";
                    break;
            }
        }

        return refusal is null ? new ClientQuotaEntity(user, clientId) : null;
    }

    public static void WriteEntity(KafkaWriter writer, ClientQuotaEntity entity, bool flexible)
    {
        writer.WriteArrayLength((entity.User is null ? 0 : 1) + (entity.ClientId is null ? 0 : 1), flexible);
        foreach (var (type, name) in new[] { (ClientQuotaEntity.UserType, entity.User), (ClientQuotaEntity.ClientIdType, entity.ClientId) })
        {
            if (name is not null)
            {
                writer.WriteString(type, flexible);
                writer.WriteNullableString(name == ClientQuotaEntity.Default ? null : name, flexible);
                writer.WriteEmptyTaggedFields(flexible);
            }
        }
    }
}
