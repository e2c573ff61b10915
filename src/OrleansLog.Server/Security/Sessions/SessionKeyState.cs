namespace OrleansLog.Server.Security.Sessions;

/// <summary>The persisted session key (empty until first asked for).</summary>
[GenerateSerializer]
public sealed class SessionKeyState
{
    [Id(0)]
    public byte[] Key { get; set; } = [];
}
