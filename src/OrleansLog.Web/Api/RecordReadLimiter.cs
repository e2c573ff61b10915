using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace OrleansLog.Web.Api;

/// <summary>
/// Caps the record reads the front end serves at once (<see cref="RecordReadOptions.MaxConcurrentReads"/>),
/// so a flood of slow reads cannot take the memory and connections the broker's own clients need: a read
/// past the cap is refused at once, 429 with problem+json (THROTTLING_QUOTA_EXCEEDED) and Retry-After.
/// A <see cref="ConcurrencyLimiter"/> without a queue. Thread-safe (a singleton).
/// </summary>
public sealed class RecordReadLimiter(IOptions<RecordReadOptions> options) : IDisposable
{
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions { PermitLimit = options.Value.MaxConcurrentReads, QueueLimit = 0 });

    public int MaxConcurrentReads => options.Value.MaxConcurrentReads;

    /// <summary>A lease to dispose when the read ends; not acquired when the cap is reached.</summary>
    public RateLimitLease TryAcquire() => _limiter.AttemptAcquire();

    /// <summary>The refusal of a read past the cap.</summary>
    public IResult Refusal(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return KafkaProblems.Problem(ErrorCode.ThrottlingQuotaExceeded, $"{MaxConcurrentReads} record reads are being served (OrleansLog:Web:MaxConcurrentReads); retry shortly.");
    }

    /// <summary>An endpoint filter that holds a lease for the whole of the endpoint's work, or refuses.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var limiter = context.HttpContext.RequestServices.GetRequiredService<RecordReadLimiter>();
        using var lease = limiter.TryAcquire();
        return lease.IsAcquired ? await next(context) : limiter.Refusal(context.HttpContext);
    }

    public void Dispose() => _limiter.Dispose();
}
