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
                await using var connection = await BrokerConnection.ConnectAsync(gateways, parse.GetValue(GlobalOptions.ClusterId)!, cancellationToken);
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
}
