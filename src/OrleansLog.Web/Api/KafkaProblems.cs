using Microsoft.AspNetCore.Http;

namespace OrleansLog.Web.Api;

/// <summary>
/// Every refusal as <c>application/problem+json</c>: the title is the Kafka error name
/// (UNKNOWN_TOPIC_OR_PARTITION), <c>error_code</c> its number, the detail says what was wrong, and the
/// HTTP status follows the kind of error (401 not signed in, 403 not allowed by the ACLs, 404 unknown, 409 conflict, 400 invalid, 429 throttled, 503 retriable).
/// </summary>
public static class KafkaProblems
{
    private const string ErrorCodesPage = "https://kafka.apache.org/protocol#protocol_error_codes";

    public static IResult From(OrleansLogException error) => Problem(error.Code, error.Message);

    public static IResult Problem(ErrorCode code, string detail, int? status = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status ?? StatusFor(code),
            title: code.KafkaName(),
            type: ErrorCodesPage,
            extensions: new Dictionary<string, object?> { ["error_code"] = (int)code });

    public static int StatusFor(ErrorCode code) => code switch
    {
        ErrorCode.UnknownTopicOrPartition or ErrorCode.GroupIdNotFound or ErrorCode.UnknownMemberId or ErrorCode.ResourceNotFound => StatusCodes.Status404NotFound,
        ErrorCode.TopicAlreadyExists or ErrorCode.NonEmptyGroup or ErrorCode.RebalanceInProgress or ErrorCode.DuplicateResource => StatusCodes.Status409Conflict,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCode.ThrottlingQuotaExceeded => StatusCodes.Status429TooManyRequests,
        ErrorCode.SaslAuthenticationFailed => StatusCodes.Status401Unauthorized,
        ErrorCode.TopicAuthorizationFailed or ErrorCode.GroupAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed
            or ErrorCode.TransactionalIdAuthorizationFailed => StatusCodes.Status403Forbidden,
        _ when code.IsRetriable() => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.UnknownServerError or ErrorCode.KafkaStorageError => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };
}
