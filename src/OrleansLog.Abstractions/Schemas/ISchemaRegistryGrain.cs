using OrleansLog.Security;
using System.Collections.Immutable;
using Orleans.Concurrency;

namespace OrleansLog.Schemas;

/// <summary>
/// The schema registry (one per cluster, key <see cref="ClusterKey"/>), in Confluent Schema Registry's
/// terms: subjects with numbered versions of JSON Schemas or Avro schemas, globally unique schema ids (one schema text, one
/// id, whatever the subject), and a compatibility level (BACKWARD, FORWARD, FULL, NONE; globally and per
/// subject) checked whenever a new version is registered. Persisted before it answers. Answers carry error codes.
/// </summary>
public interface ISchemaRegistryGrain : IGrainWithStringKey
{
    const string ClusterKey = "cluster";

    /// <summary>Registers <paramref name="schema"/> under <paramref name="subject"/> (the existing version when it is already there), if compatible with the subject's level.</summary>
    [RequiresAcl(AclOperation.Write, AclResourceType.Topic, AclResourceSource.SubjectTopic)]
    Task<SchemaAnswer> Register(string subject, string schemaType, string schema);

    [AlwaysInterleave]
    [FiltersByAcl(AclResourceType.Topic, NamesAreSubjects = true)]
    Task<ImmutableArray<string>> Subjects();

    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.SubjectTopic)]
    Task<SchemaAnswer> Versions(string subject);

    /// <summary>A version of a subject (-1: the latest).</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.SubjectTopic)]
    Task<SchemaAnswer> GetVersion(string subject, int version);

    [AlwaysInterleave]
    Task<SchemaAnswer> GetById(int id);

    /// <summary>The ids of every schema registered under <paramref name="subject"/> (empty when it has none): what the produce path's schema validation accepts.</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.SubjectTopic)]
    Task<ImmutableArray<int>> SchemaIds(string subject);

    /// <summary>The version of <paramref name="subject"/> that holds <paramref name="schema"/>, if any.</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.SubjectTopic)]
    Task<SchemaAnswer> Lookup(string subject, string schema);

    /// <summary>Whether <paramref name="schema"/> could be registered as the next version (against <paramref name="version"/>, -1: the latest).</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.SubjectTopic)]
    Task<SchemaAnswer> TestCompatibility(string subject, int version, string schemaType, string schema);

    /// <summary>Deletes a subject and all its versions; answers with the versions deleted.</summary>
    [RequiresAcl(AclOperation.Delete, AclResourceType.Topic, AclResourceSource.SubjectTopic)]
    Task<SchemaAnswer> DeleteSubject(string subject);

    /// <summary>The compatibility level of <paramref name="subject"/> (null: the global level).</summary>
    [AlwaysInterleave]
    Task<SchemaAnswer> GetCompatibility(string? subject);

    [RequiresAcl(AclOperation.AlterConfigs, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<SchemaAnswer> SetCompatibility(string? subject, string level);
}
