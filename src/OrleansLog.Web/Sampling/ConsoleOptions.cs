namespace OrleansLog.Web.Sampling;

/// <summary>The web console's settings, bound from <c>OrleansLog:Web</c>.</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "OrleansLog:Web";

    /// <summary>How often topic offsets and group lag are sampled for the charts.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Samples kept per topic and group (at 5 s: ten minutes).</summary>
    public int SamplesKept { get; set; } = 120;

    /// <summary>At most this many topics and groups are sampled.</summary>
    public int MaxSampled { get; set; } = 200;
}
