namespace OrleansLog;

/// <summary>
/// The one exception type OrleansLog throws for a refused or failed operation. Callers map from
/// <see cref="Code"/>, never from the message text.
/// </summary>
public class OrleansLogException : Exception
{
    public OrleansLogException(ErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public OrleansLogException(ErrorCode code, string message, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    public OrleansLogException()
        : this(ErrorCode.UnknownServerError, "Unknown server error.")
    {
    }

    public OrleansLogException(string message)
        : this(ErrorCode.UnknownServerError, message)
    {
    }

    public OrleansLogException(string message, Exception innerException)
        : this(ErrorCode.UnknownServerError, message, innerException)
    {
    }

    /// <summary>The Kafka-compatible error code.</summary>
    public ErrorCode Code { get; }

    /// <summary>Whether the client may retry the operation.</summary>
    public bool IsRetriable => Code.IsRetriable();
}
