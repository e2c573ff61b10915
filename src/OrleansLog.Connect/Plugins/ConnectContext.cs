using Microsoft.Extensions.Logging;
using OrleansLog.Connect.Hosting;

namespace OrleansLog.Connect.Plugins;

/// <summary>What connectors and tasks may use from the broker that runs them: the settings that bound them, the clock and logging.</summary>
public sealed record ConnectContext(ConnectOptions Options, TimeProvider Time, ILoggerFactory Logging);
