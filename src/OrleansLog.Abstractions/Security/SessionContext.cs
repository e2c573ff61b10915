namespace OrleansLog.Security;

/// <summary>
/// The session a client's grain calls carry (Orleans' request context): a token the cluster signed when the client
/// signed in (<see cref="ISignInGrain"/>). The broker reads the principal from it, checks the signature and the expiry,
/// and never believes a principal a client names itself.
/// </summary>
public static class SessionContext
{
    /// <summary>The request-context key of the token.</summary>
    public const string TokenKey = "orleanslog.session";

    /// <summary>The token of the calls made from here on in this flow, or null.</summary>
    public static string? Token
    {
        get => RequestContext.Get(TokenKey) as string;
        set
        {
            if (value is null)
            {
                RequestContext.Remove(TokenKey);
            }
            else
            {
                RequestContext.Set(TokenKey, value);
            }
        }
    }
}
