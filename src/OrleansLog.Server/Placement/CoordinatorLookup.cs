namespace OrleansLog.Server.Placement;

/// <summary>
/// A placement director's question to the coordinator, bounded. The coordinator answers these lookups from
/// memory; a longer wait means its silo just died and the call went there. Failing fast with a retriable
/// error lets the caller's retry reach the coordinator's new activation instead of holding the placement
/// for Orleans' 30 s.
/// </summary>
internal static class CoordinatorLookup
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>The lookup's answer, or <paramref name="error"/> (with "<paramref name="question"/>" in its message) when none comes within <see cref="Timeout"/>.</summary>
    public static async Task<T> Bounded<T>(Task<T> lookup, ErrorCode error, string question)
    {
        try
        {
            return await lookup.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new OrleansLogException(error, $"The coordinator did not say within {Timeout.TotalSeconds:0} s {question}; retry.");
        }
    }
}
