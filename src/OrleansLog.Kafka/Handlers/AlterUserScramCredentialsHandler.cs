using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// AlterUserScramCredentials (key 51, v0, flexible): deletes and upserts SCRAM credentials, one result per user (its
/// first error), as Kafka's; needs ALTER on the cluster. An upsertion carries the salted password, from which the broker
/// keeps StoredKey and ServerKey only. Kafka's rules: a known mechanism (else UNSUPPORTED_SASL_MECHANISM), iterations
/// in range and a salt (else UNACCEPTABLE_CREDENTIAL), a user and mechanism altered once per request (else
/// DUPLICATE_RESOURCE), a deletion of a credential that exists (else RESOURCE_NOT_FOUND).
/// </summary>
internal sealed class AlterUserScramCredentialsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.AlterUserScramCredentials;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var deletions = new List<(string User, sbyte Mechanism)>();
        var count = reader.ReadArrayLength(flexible: true);
        for (var i = 0; i < count; i++)
        {
            deletions.Add((reader.ReadString(flexible: true), reader.ReadInt8()));
            reader.SkipTaggedFields(flexible: true);
        }

        var upsertions = new List<(string User, sbyte Mechanism, int Iterations, byte[] Salt, byte[] SaltedPassword)>();
        count = reader.ReadArrayLength(flexible: true);
        for (var i = 0; i < count; i++)
        {
            upsertions.Add((reader.ReadString(flexible: true), reader.ReadInt8(), reader.ReadInt32(), reader.ReadBytes(flexible: true).ToArray(), reader.ReadBytes(flexible: true).ToArray()));
            reader.SkipTaggedFields(flexible: true);
        }

        var users = deletions.Select(d => d.User).Concat(upsertions.Select(u => u.User)).Distinct(StringComparer.Ordinal).ToList();
        var results = users.ToDictionary(u => u, _ => (Code: ErrorCode.None, Message: (string?)null), StringComparer.Ordinal);
        if (!context.AllowsCluster(request, AclOperation.Alter))
        {
            foreach (var user in users)
            {
                results[user] = (ErrorCode.ClusterAuthorizationFailed, $"{request.Principal} is not authorized to alter the cluster's users.");
            }
        }
        else
        {
            await Alter(deletions, upsertions, results);
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteArrayLength(users.Count, flexible: true);
        foreach (var user in users)
        {
            response.WriteString(user, flexible: true);
            response.WriteInt16(results[user].Code);
            response.WriteNullableString(results[user].Message, flexible: true);
            response.WriteEmptyTaggedFields(flexible: true);
        }

        response.WriteEmptyTaggedFields(flexible: true);
        return response;
    }

    private async Task Alter(
        List<(string User, sbyte Mechanism)> deletions,
        List<(string User, sbyte Mechanism, int Iterations, byte[] Salt, byte[] SaltedPassword)> upsertions,
        Dictionary<string, (ErrorCode Code, string? Message)> results)
    {
        void Fail(string user, ErrorCode code, string message)
        {
            if (results[user].Code == ErrorCode.None)
            {
                results[user] = (code, message);
            }
        }

        var altered = deletions.Select(d => (d.User, d.Mechanism)).Concat(upsertions.Select(u => (u.User, u.Mechanism))).ToList();
        foreach (var duplicate in altered.GroupBy(a => a).Where(g => g.Count() > 1))
        {
            Fail(duplicate.Key.User, ErrorCode.DuplicateResource, $"the {ScramWire.Mechanism(duplicate.Key.Mechanism)?.Name ?? "unknown"} credential of user \"{duplicate.Key.User}\" is altered more than once");
        }

        foreach (var (user, mechanism) in altered.Where(a => ScramWire.Mechanism(a.Mechanism) is null))
        {
            Fail(user, ErrorCode.UnsupportedSaslMechanism, $"unknown SCRAM mechanism {mechanism}; Kafka numbers SCRAM-SHA-256 1 and SCRAM-SHA-512 2");
        }

        foreach (var upsertion in upsertions.Where(u => u.Iterations is < ScramMechanism.MinIterations or > ScramMechanism.MaxIterations || u.Salt.Length == 0))
        {
            Fail(upsertion.User, ErrorCode.UnacceptableCredential, $"iterations must be between {ScramMechanism.MinIterations} and {ScramMechanism.MaxIterations} and the salt not empty");
        }

        var store = context.Grains.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey);
        foreach (var (user, code) in deletions.Where(d => results[d.User].Code == ErrorCode.None))
        {
            try
            {
                if (!await store.Delete(user, ScramWire.Mechanism(code)!.Name))
                {
                    Fail(user, ErrorCode.ResourceNotFound, $"user \"{user}\" has no {ScramWire.Mechanism(code)!.Name} credential");
                }
            }
            catch (Exception e)
            {
                var (error, message) = KafkaErrors.From(e);
                Fail(user, error, message);
            }
        }

        foreach (var upsertion in upsertions.Where(u => results[u.User].Code == ErrorCode.None))
        {
            try
            {
                var mechanism = ScramWire.Mechanism(upsertion.Mechanism)!;
                await store.Upsert(upsertion.User, ScramCredential.FromSaltedPassword(mechanism, upsertion.SaltedPassword, upsertion.Salt, upsertion.Iterations).ToStored());
            }
            catch (Exception e)
            {
                var (error, message) = KafkaErrors.From(e);
                Fail(upsertion.User, error, message);
            }
        }
    }
}
