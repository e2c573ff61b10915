namespace OrleansLog.Metadata;

/// <summary>Kafka's rule for topic names: 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', and not "." or "..".</summary>
public static class TopicName
{
    public const int MaxLength = 249;

    /// <summary>Throws INVALID_TOPIC_EXCEPTION saying what is wrong with <paramref name="name"/>.</summary>
    public static string Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid("Topic name is empty.");
        }

        if (name is "." or "..")
        {
            throw Invalid($"Topic name cannot be \"{name}\".");
        }

        if (name.Length > MaxLength)
        {
            throw Invalid($"Topic name is {name.Length} characters long; the limit is {MaxLength}.");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw Invalid($"Topic name \"{name}\" contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.");
            }
        }

        return name;
    }

    private static OrleansLogException Invalid(string message) => new(ErrorCode.InvalidTopicException, message);
}
