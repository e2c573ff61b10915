using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary>Connects to the broker for one command and turns every failure into one line on stderr and an exit code.</summary>
internal static class CommandRunner
{
    public static void SetBrokerAction(this Command command, Func<ParseResult, BrokerConnection, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var gateways = GatewayAddress.ParseList(parse.GetValue(GlobalOptions.Gateway)!);
                await using var connection = await BrokerConnection.ConnectAsync(gateways, parse.GetValue(GlobalOptions.ClusterId)!, Tls(parse), Credentials(parse), cancellationToken);
                return await action(parse, connection, cancellationToken);
            }
            catch (CliException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (OrleansLogException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Code.KafkaName()}: {e.Message}");
                return ExitCodes.Refused;
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException)
            {
                await Console.Error.WriteLineAsync($"error: the broker stopped answering: {FirstLine(e.Message)}");
                return ExitCodes.Unreachable;
            }
            catch (Exception e) when (e is Orleans.Runtime.OrleansException or Orleans.Serialization.CodecNotFoundException)
            {
                // A failure inside the cluster that has no Kafka code (Orleans could not even carry the
                // original exception back): still one line, never a stack trace.
                await Console.Error.WriteLineAsync($"error: the broker failed the request: {FirstLine(e.Message)}");
                return ExitCodes.Refused;
            }
        });

    private static string FirstLine(string message) => message.IndexOfAny(['\r', '\n']) is var end and >= 0 ? message[..end] : message;

    /// <summary>The user to sign in as and its password (only from ORLEANSLOG_PASSWORD: a password on the command line is seen by every process listing).</summary>
    private static (string User, string Password)? Credentials(ParseResult parse) =>
        parse.GetValue(GlobalOptions.User) is not { } user ? null
        : Environment.GetEnvironmentVariable("ORLEANSLOG_PASSWORD") is { Length: > 0 } password ? (user, password)
        : throw new CliException(ExitCodes.Usage, "--user needs its password in ORLEANSLOG_PASSWORD");

    /// <summary>The client certificate to present, when one is given; a key or authority without a certificate is a usage error.</summary>
    private static (string Certificate, string? Key, string? Ca)? Tls(ParseResult parse)
    {
        var certificate = parse.GetValue(GlobalOptions.TlsCertificate);
        if (certificate is null)
        {
            return parse.GetValue(GlobalOptions.TlsKey) is null && parse.GetValue(GlobalOptions.TlsCa) is null
                ? null
                : throw new CliException(ExitCodes.Usage, "--tls-key and --tls-ca go with --tls-cert (the client certificate)");
        }

        return File.Exists(certificate)
            ? (certificate, parse.GetValue(GlobalOptions.TlsKey), parse.GetValue(GlobalOptions.TlsCa))
            : throw new CliException(ExitCodes.Usage, $"--tls-cert {certificate}: no such file");
    }
}
