using Microsoft.Extensions.Options;
using OrleansLog.Hosting;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Security.Audit;

/// <summary>Refuses <see cref="AuditOptions"/> the audit trail could not be kept with.</summary>
public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options) =>
        new OptionsChecks(AuditOptions.SectionName)
            .That(options.Topic is null || IsTopicName(options.Topic), nameof(options.Topic), "must be a valid topic name", options.Topic)
            .AtLeast(nameof(options.MaxQueuedEvents), options.MaxQueuedEvents, 1)
            .Result();

    private static bool IsTopicName(string name)
    {
        try
        {
            TopicName.Validate(name);
            return true;
        }
        catch (OrleansLogException)
        {
            return false;
        }
    }
}
