namespace OrleansLog.Silo.Hosting;

/// <summary>
/// Whether the broker serves the web front end on its HTTP port (<see cref="Key"/>, <c>--front-end</c>; on by default): the
/// console, the REST API, the schema registry's and Kafka Connect's REST APIs and the OpenAPI document. Off, the port
/// serves only <c>/health</c> and <c>/metrics</c>, under the same authentication, and the front end runs on its own
/// (<c>src/OrleansLog.Web</c>) as an Orleans client of the cluster. A broker without it does not load MVC, Razor and the
/// API's code at all: about 30 MB less resident memory per broker, and less to attack on each.
/// </summary>
public static class FrontEndSetting
{
    public const string Key = "OrleansLog:Web:FrontEnd";

    public static bool IsEnabled(IConfiguration configuration) =>
        configuration[Key] switch
        {
            null => true,
            var value when bool.TryParse(value, out var enabled) => enabled,
            var value => throw new ClusterConfigurationException($"{Key} must be true or false, not \"{value}\"."),
        };
}
