using Orleans.Runtime;

namespace OrleansLog.Kafka.Handlers;

/// <summary>Turns what a grain call threw into the Kafka error code a client acts on: retriable for timeouts and unreachable silos, the code itself for OrleansLog's refusals.</summary>
internal static class KafkaErrors
{
    public static (ErrorCode Code, string Message) From(Exception exception) => exception switch
    {
        OrleansLogException e => (e.Code, e.Message),
        TimeoutException e => (ErrorCode.RequestTimedOut, e.Message),
        SiloUnavailableException e => (ErrorCode.NotLeaderOrFollower, e.Message),
        OrleansMessageRejectionException e => (ErrorCode.NotLeaderOrFollower, e.Message),
        _ => (ErrorCode.UnknownServerError, exception.Message),
    };
}
