using System.Collections.Frozen;
using System.Text;

namespace OrleansLog;

/// <summary>Kafka's spelling of each <see cref="ErrorCode"/> and whether a client may retry it.</summary>
public static class ErrorCodeNames
{
    private static readonly FrozenDictionary<ErrorCode, string> KafkaNames = BuildNames();

    /// <summary>The Kafka name, such as <c>NOT_LEADER_OR_FOLLOWER</c>.</summary>
    public static string KafkaName(this ErrorCode code) =>
        KafkaNames.TryGetValue(code, out var name) ? name : ((short)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Errors that a retry may clear (Kafka's RetriableException family).</summary>
    public static bool IsRetriable(this ErrorCode code) => code is
        ErrorCode.CorruptMessage or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable or
        ErrorCode.NotLeaderOrFollower or ErrorCode.RequestTimedOut or ErrorCode.NetworkException or
        ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or
        ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.KafkaStorageError or
        ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.OffsetNotAvailable or
        ErrorCode.PreferredLeaderNotAvailable or ErrorCode.EligibleLeadersNotAvailable or ErrorCode.ReplicaNotAvailable;

    private static FrozenDictionary<ErrorCode, string> BuildNames()
    {
        var names = new Dictionary<ErrorCode, string>();
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            names[code] = ToUpperSnake(code.ToString());
        }

        return names.ToFrozenDictionary();
    }

    private static string ToUpperSnake(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }
}
