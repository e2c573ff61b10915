namespace OrleansLog.Errors;

/// <summary>
/// Carries an <see cref="OrleansLogException"/> across a grain call with its <see cref="ErrorCode"/>
/// intact (the storage project that defines the exception knows nothing of Orleans serialization).
/// </summary>
[GenerateSerializer]
public struct OrleansLogExceptionSurrogate
{
    [Id(0)]
    public ErrorCode Code { get; set; }

    [Id(1)]
    public string Message { get; set; }
}

/// <summary>Converts <see cref="OrleansLogException"/> to and from its surrogate.</summary>
[RegisterConverter]
public sealed class OrleansLogExceptionConverter : IConverter<OrleansLogException, OrleansLogExceptionSurrogate>
{
    public OrleansLogException ConvertFromSurrogate(in OrleansLogExceptionSurrogate surrogate) => new(surrogate.Code, surrogate.Message);

    public OrleansLogExceptionSurrogate ConvertToSurrogate(in OrleansLogException value) => new() { Code = value.Code, Message = value.Message };
}
