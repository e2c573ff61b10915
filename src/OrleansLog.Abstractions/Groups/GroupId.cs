namespace OrleansLog.Groups;

/// <summary>Validation of consumer group ids: non-empty, at most 255 characters, no control characters.</summary>
public static class GroupId
{
    public const int MaxLength = 255;

    public static void Validate(string? groupId)
    {
        if (string.IsNullOrWhiteSpace(groupId))
        {
            throw new OrleansLogException(ErrorCode.InvalidGroupId, "A consumer group id must not be empty.");
        }

        if (groupId.Length > MaxLength)
        {
            throw new OrleansLogException(ErrorCode.InvalidGroupId, $"Consumer group id is {groupId.Length} characters long; at most {MaxLength} are allowed.");
        }

        foreach (var c in groupId)
        {
            if (char.IsControl(c))
            {
                throw new OrleansLogException(ErrorCode.InvalidGroupId, "A consumer group id must not contain control characters.");
            }
        }
    }
}
