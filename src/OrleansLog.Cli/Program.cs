using System.CommandLine;
using OrleansLog.Cli.Commands;
using OrleansLog.Cli.Connection;

var root = new RootCommand("orleanslog: manage topics and consumer groups, and produce or consume records on an OrleansLog broker.")
{
    GlobalOptions.Gateway,
    GlobalOptions.ClusterId,
    GlobalOptions.TlsCertificate,
    GlobalOptions.User,
    GlobalOptions.TlsKey,
    GlobalOptions.TlsCa,
    TopicsCommands.Build(),
    ProduceCommand.Build(),
    ConsumeCommand.Build(),
    GroupsCommands.Build(),
    BrokersCommands.Build(),
    TransactionsCommands.Build(),
    ConnectCommands.Build(),
    UsersCommands.Build(),
    AclsCommands.Build(),
    QuotasCommands.Build(),
    DbCommands.Build(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    await Console.Error.WriteLineAsync($"error: {parse.Errors[0].Message} (see 'orleanslog --help')");
    return ExitCodes.Usage;
}

return await parse.InvokeAsync();
