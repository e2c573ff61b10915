namespace OrleansLog.Connect;

/// <summary>A task of a connector: the connector's name and the task's number from 0. Its grain key is "number/name" (a name has no '/').</summary>
[GenerateSerializer, Immutable]
public readonly record struct ConnectTaskId([property: Id(0)] string Connector, [property: Id(1)] int Task)
{
    public string GrainKey => $"{Task}/{Connector}";

    public static ConnectTaskId ParseGrainKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return new ConnectTaskId(key[(slash + 1)..], int.Parse(key.AsSpan(0, slash), System.Globalization.CultureInfo.InvariantCulture));
    }

    public override string ToString() => $"{Connector}-{Task}";
}
