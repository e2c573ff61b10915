namespace OrleansLog.Web.Api;

/// <summary>Limits on reading records through the front end (REST API and message browser), bound from <c>OrleansLog:Web</c>.</summary>
public sealed class RecordReadOptions
{
    public const string SectionName = "OrleansLog:Web";

    /// <summary>
    /// Record reads served at once; one more is answered 429 at once (a read may wait up to 30 s for records,
    /// so queueing would only hold more sockets). Each read holds a consumer and its prefetch buffer.
    /// </summary>
    public int MaxConcurrentReads { get; set; } = 32;
}
