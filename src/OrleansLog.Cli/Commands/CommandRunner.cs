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
                await Console.Error.WriteLineAsync($"error: the broker stopped answering: {e.Message}");
                return ExitCodes.Unreachable;
            }
        });
}
