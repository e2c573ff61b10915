namespace OrleansLog.Connect;

/// <summary>
/// What a connector call answers: a value, or a refusal with Kafka Connect's REST status (400 bad config, 404 unknown
/// connector or task, 409 a conflict such as a name taken) and a message, so the HTTP port, the CLI and the client say the
/// same thing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConnectAnswer<T>(
    [property: Id(0)] T? Value,
    [property: Id(1)] int Status,
    [property: Id(2)] string? Message)
{
    public bool IsError => Status >= 400;
}

/// <summary>Makes <see cref="ConnectAnswer{T}"/>s.</summary>
public static class ConnectAnswer
{
    public static ConnectAnswer<T> Of<T>(T value) => new(value, 200, null);

    public static ConnectAnswer<T> Fail<T>(int status, string message) => new(default, status, message);
}

/// <summary>Kafka Connect's REST status codes for refusals.</summary>
public static class ConnectStatus
{
    public const int BadRequest = 400;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int TooMany = 429;
}
