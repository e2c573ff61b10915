namespace OrleansLog.Web.Sampling;

/// <summary>One sampled value (a topic's total high watermark, a group's total lag) and when it was taken.</summary>
public readonly record struct Sample(DateTimeOffset At, long Value);
