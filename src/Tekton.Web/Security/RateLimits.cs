using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Tekton.Application.Security;
using Tekton.Domain.Errors;

namespace Tekton.Web.Security;

/// <summary>
/// Per-key rate limits (design §11), on only with auth on: a token bucket per API key (tokens share their key's
/// bucket; requests without valid credentials share one per client address), and a stricter fixed window per client
/// address on the token endpoint. A refused request is 429 with <c>Retry-After</c> and code 1007, audited by
/// <see cref="RateLimitAudit"/>.
/// </summary>
public static class RateLimits
{
    public const string TokenPolicy = "tekton:token";

    public static void Configure(RateLimiterOptions limiter, AuthOptions auth)
    {
        // With auth off there is one caller, the local operator: no global limiter, so the hot paths pay nothing for it.
        limiter.GlobalLimiter = !auth.Enabled ? null : PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            return RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = auth.Burst,
                TokensPerPeriod = auth.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });

        limiter.AddPolicy(TokenPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
            "address:" + context.Connection.RemoteIpAddress,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = auth.TokenRequestsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

        limiter.OnRejected = async (rejected, cancellationToken) =>
        {
            var context = rejected.HttpContext;
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            var detail = $"This credential (or address) is over its rate limit; retry after {retryAfter} s.";
            var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = detail,
            };
            problem.Extensions["code"] = (int)ErrorCode.ResourceConstraintViolated;
            context.RequestServices.GetRequiredService<RateLimitAudit>().Refused(context, PartitionOf(context), detail);
            await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
        };
    }

    /// <summary>Whose bucket a request draws on: its key's, or without valid credentials its client address's.</summary>
    public static string PartitionOf(HttpContext context) =>
        Caller.From(context.User)?.KeyId is { } keyId ? "key:" + keyId : "address:" + context.Connection.RemoteIpAddress;
}
