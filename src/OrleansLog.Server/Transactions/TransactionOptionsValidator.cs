using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Transactions;

/// <summary>Refuses <see cref="TransactionOptions"/> no transaction could run with.</summary>
public sealed class TransactionOptionsValidator : IValidateOptions<TransactionOptions>
{
    public ValidateOptionsResult Validate(string? name, TransactionOptions options) =>
        new OptionsChecks(TransactionOptions.SectionName)
            .Positive(nameof(options.MaxTimeout), options.MaxTimeout)
            .That(options.MaxTimeout.TotalMilliseconds <= int.MaxValue, nameof(options.MaxTimeout), "must fit transaction.timeout.ms (int32 milliseconds)", options.MaxTimeout)
            .Positive(nameof(options.TimeoutCheckInterval), options.TimeoutCheckInterval)
            .Positive(nameof(options.IdExpiration), options.IdExpiration)
            .AtLeast(nameof(options.MaxPartitionsPerTransaction), options.MaxPartitionsPerTransaction, 1)
            .AtLeast(nameof(options.MaxGroupsPerTransaction), options.MaxGroupsPerTransaction, 1)
            .Positive(nameof(options.MarkerTimeout), options.MarkerTimeout)
            .Positive(nameof(options.MarkerRetryBackoff), options.MarkerRetryBackoff)
            .Result();
}
