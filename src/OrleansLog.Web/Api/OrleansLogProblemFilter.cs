using Microsoft.AspNetCore.Http;

namespace OrleansLog.Web.Api;

/// <summary>Turns what the broker refused (an <see cref="OrleansLogException"/>) into a problem+json answer, so handlers only state the happy path and their own validation.</summary>
internal sealed class OrleansLogProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (OrleansLogException e)
        {
            return KafkaProblems.From(e);
        }
        catch (TimeoutException e)
        {
            return KafkaProblems.Problem(ErrorCode.RequestTimedOut, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            return KafkaProblems.Problem(ErrorCode.InvalidRequest, e.Message);
        }
    }
}
