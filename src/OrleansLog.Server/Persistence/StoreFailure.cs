namespace OrleansLog.Server.Persistence;

/// <summary>What a failed grain-storage call says about its cause, in one line for an error message.</summary>
internal static class StoreFailure
{
    /// <summary>The first line of the innermost exception's message: the driver's or the file system's own words, under Orleans' wrappers.</summary>
    public static string Cause(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        var end = e.Message.IndexOfAny(['\r', '\n']);
        return end < 0 ? e.Message : e.Message[..end];
    }
}
