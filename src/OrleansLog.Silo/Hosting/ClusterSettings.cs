using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace OrleansLog.Silo.Hosting;

/// <summary>
/// <see cref="BrokerClusterOptions"/> checked and resolved once at start-up: a wrong setting stops the
/// broker with one line that names the setting, before anything starts.
/// </summary>
public sealed partial record ClusterSettings(BrokerClusterOptions Options, ClusterMode Mode, string? ConnectionString, IPAddress AdvertisedAddress)
{
    /// <summary>Never the connection string: it holds the database password, and settings end up in logs.</summary>
    public override string ToString() =>
        $"ClusterSettings {{ Mode = {Mode}, AdvertisedAddress = {AdvertisedAddress}, SiloPort = {Options.SiloPort}, GatewayPort = {Options.GatewayPort}, ConnectionString = {(ConnectionString is null ? "unset" : "(set, not shown)")} }}";

    public static ClusterSettings Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(BrokerClusterOptions.SectionName).Get<BrokerClusterOptions>() ?? new BrokerClusterOptions();
        if (!Enum.TryParse<ClusterMode>(options.Mode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            throw new ClusterConfigurationException($"OrleansLog:Cluster:Mode \"{options.Mode}\" is not one of Embedded, AdoNet, Kubernetes.");
        }

        foreach (var (name, port) in new[] { ("SiloPort", options.SiloPort), ("GatewayPort", options.GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                throw new ClusterConfigurationException($"OrleansLog:Cluster:{name} {port} is not a port (1-65535).");
            }
        }

        var connection = options.ConnectionString is { Length: > 0 } cs ? cs : configuration.GetConnectionString("OrleansLog");
        if (mode != ClusterMode.Embedded && string.IsNullOrWhiteSpace(connection))
        {
            throw new ClusterConfigurationException($"OrleansLog:Cluster:Mode {mode} needs a PostgreSQL connection string: set OrleansLog:Cluster:ConnectionString or ConnectionStrings:OrleansLog.");
        }

        var advertised = mode switch
        {
            ClusterMode.Embedded => IPAddress.Loopback,
            _ when options.AdvertisedAddress is { Length: > 0 } text => IPAddress.TryParse(text, out var parsed) ? parsed
                : throw new ClusterConfigurationException($"OrleansLog:Cluster:AdvertisedAddress \"{text}\" is not an IP address."),
            _ => FirstExternalAddress(),
        };
        return new ClusterSettings(options, mode, connection, advertised);
    }

    /// <summary>
    /// On Kubernetes the broker id is the StatefulSet ordinal: pod "orleanslog-2" is broker 2, so a pod
    /// that is rescheduled comes back as the same broker with the same volume.
    /// </summary>
    public static int? BrokerIdFromPodName(string? podName)
    {
        if (podName is null)
        {
            return null;
        }

        var match = OrdinalSuffix().Match(podName);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : null;
    }

    private static IPAddress FirstExternalAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
        ?? IPAddress.Loopback;

    [GeneratedRegex(@"-(\d{1,9})$")]
    private static partial Regex OrdinalSuffix();
}
