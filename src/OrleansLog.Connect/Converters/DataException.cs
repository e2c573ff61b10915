namespace OrleansLog.Connect.Converters;

/// <summary>A record that cannot be converted or transformed: not retriable, handled by <c>errors.tolerance</c>.</summary>
public sealed class DataException(string message, Exception? inner = null) : Exception(message, inner);
