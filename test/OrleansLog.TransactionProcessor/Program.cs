// A consume-transform-produce processor for exactly-once tests, run as its own process so a test can SIGKILL it:
//   OrleansLog.TransactionProcessor confluent|native <bootstrap or gateway> <input> <output> <group> <transactional.id> <batch>
// Each transaction reads up to <batch> records (read_committed), writes "<value>|out" under the same key to <output>,
// and commits the consumer's positions with it. On any failure the transaction is aborted and the consumer goes back
// to the group's committed offsets; a fenced producer exits with code 2. Prints "committed <records>" per transaction.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client.Hosting;

if (args.Length != 7)
{
    Console.Error.WriteLine("usage: confluent|native <bootstrap|gateway> <input> <output> <group> <transactional.id> <batch>");
    return 64;
}

var (client, address, input, output, group, transactionalId) = (args[0], args[1], args[2], args[3], args[4], args[5]);
var batch = int.Parse(args[6], CultureInfo.InvariantCulture);
try
{
    if (client == "confluent")
    {
        OrleansLog.TransactionProcessor.ConfluentLoop.Run(address, input, output, group, transactionalId, batch);
    }
    else
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options => options.Gateways.Add(address));
        using var host = builder.Build();
        await host.StartAsync();
        await OrleansLog.TransactionProcessor.NativeLoop.RunAsync(host.Services.GetRequiredService<OrleansLog.Client.OrleansLogClient>(), input, output, group, transactionalId, batch);
    }
}
catch (OrleansLog.TransactionProcessor.FencedException e)
{
    Console.Error.WriteLine($"fenced: {e.Message}");
    return 2;
}

return 0;
