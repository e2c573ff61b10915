namespace OrleansLog.Cli.Connection;

/// <summary>The CLI's exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The broker refused the request (the message names the Kafka error).</summary>
    public const int Refused = 1;

    /// <summary>The command line itself is wrong.</summary>
    public const int Usage = 2;

    /// <summary>No broker answers at the gateway address.</summary>
    public const int Unreachable = 3;

    /// <summary>Input could not be read or parsed (for example a line without the key separator).</summary>
    public const int BadInput = 4;
}
