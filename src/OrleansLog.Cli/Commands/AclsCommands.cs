using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Connection;
using OrleansLog.Security;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog acls add (or create)|list|delete</c>: the cluster's ACLs, in Kafka's model (Kafka's <c>kafka-acls</c>).</summary>
internal static class AclsCommands
{
    private static readonly Option<string?> Principal = new("--principal") { Description = "Who, e.g. User:alice (User:* for everyone)." };
    private static readonly Option<string?> Host = new("--host") { Description = "From which address (* for any)." };
    private static readonly Option<string?> Operation = new("--operation") { Description = "All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite." };
    private static readonly Option<bool> Deny = new("--deny") { Description = "Deny instead of allow." };
    private static readonly Option<string?> Topic = new("--topic") { Description = "A topic (* for every topic)." };
    private static readonly Option<string?> Group = new("--group") { Description = "A consumer group (* for every group)." };
    private static readonly Option<bool> Cluster = new("--cluster") { Description = "The cluster itself." };
    private static readonly Option<bool> Prefixed = new("--prefixed") { Description = "The name is a prefix: every topic or group that starts with it." };

    public static Command Build() => new("acls", "Manage the ACLs checked once authorization is on (by default, when a Kafka listener uses SASL).")
    {
        Add(),
        List(),
        Delete(),
    };

    private static Command Add()
    {
        var command = new Command("add", "Allow (or with --deny, deny) a principal an operation on a topic, group or the cluster.")
        {
            Principal, Host, Operation, Deny, Topic, Group, Cluster, Prefixed,
        };
        command.Aliases.Add("create");
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var (type, name) = Resource(parse) ?? throw new CliException(ExitCodes.Usage, "name a resource: --topic NAME, --group NAME or --cluster");
            var acl = new AclBinding(
                type,
                name,
                parse.GetValue(Prefixed) ? AclPatternType.Prefixed : AclPatternType.Literal,
                parse.GetValue(Principal) ?? throw new CliException(ExitCodes.Usage, "name a principal: --principal User:NAME"),
                parse.GetValue(Host) ?? AclBinding.Wildcard,
                ParseOperation(parse.GetValue(Operation)) ?? throw new CliException(ExitCodes.Usage, "name an operation: --operation Read (or Write, All, ...)"),
                parse.GetValue(Deny) ? AclPermissionType.Deny : AclPermissionType.Allow);
            await broker.Admin.CreateAclsAsync([acl]);
            Console.WriteLine($"Added: {Describe(acl)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the ACLs (all, or those the options match).") { Principal, Topic, Group, Cluster };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            foreach (var acl in await broker.Admin.DescribeAclsAsync(Filter(parse, AclPatternType.Match)))
            {
                Console.WriteLine(Describe(acl));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete()
    {
        var command = new Command("delete", "Delete the ACLs the options match exactly (a resource, and optionally a principal, operation or --deny).")
        {
            Principal, Host, Operation, Deny, Topic, Group, Cluster, Prefixed,
        };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            if (Resource(parse) is null)
            {
                throw new CliException(ExitCodes.Usage, "name a resource: --topic NAME, --group NAME or --cluster");
            }

            var filter = Filter(parse, parse.GetValue(Prefixed) ? AclPatternType.Prefixed : AclPatternType.Literal) with
            {
                Host = parse.GetValue(Host),
                Operation = parse.GetValue(Operation) is { } operation ? ParseOperation(operation) ?? throw new CliException(ExitCodes.Usage, $"unknown operation \"{operation}\"") : AclOperation.Any,
                Permission = parse.GetValue(Deny) ? AclPermissionType.Deny : AclPermissionType.Any,
            };
            var deleted = await broker.Admin.DeleteAclsAsync(filter);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Deleted {deleted.Count} ACL(s)."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static AclFilter Filter(ParseResult parse, AclPatternType pattern) =>
        Resource(parse) is var (type, name)
            ? new AclFilter(type, name, pattern, parse.GetValue(Principal), null, AclOperation.Any, AclPermissionType.Any)
            : AclFilter.All with { Principal = parse.GetValue(Principal) };

    private static (AclResourceType Type, string Name)? Resource(ParseResult parse) =>
        parse.GetValue(Topic) is { } topic ? (AclResourceType.Topic, topic)
        : parse.GetValue(Group) is { } group ? (AclResourceType.Group, group)
        : parse.GetValue(Cluster) ? (AclResourceType.Cluster, AclBinding.ClusterName)
        : null;

    private static AclOperation? ParseOperation(string? text) =>
        Enum.TryParse<AclOperation>(text, ignoreCase: true, out var operation) && operation is not (AclOperation.Any or AclOperation.Unknown) && Enum.IsDefined(operation) ? operation : null;

    private static string Describe(AclBinding acl) =>
        $"{acl.Permission} {acl.Principal} from {acl.Host} {acl.Operation} on {acl.ResourceType} {(acl.PatternType == AclPatternType.Prefixed ? "prefixed " : "")}\"{acl.ResourceName}\"";
}
