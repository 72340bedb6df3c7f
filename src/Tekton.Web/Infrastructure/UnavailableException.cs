using Tekton.Domain.Errors;

namespace Tekton.Web.Infrastructure;

/// <summary>Tekton cannot take the request now (a limit is reached): 503 with <c>Retry-After</c>.</summary>
public sealed class UnavailableException(string message, int retryAfterSeconds)
    : TektonException(ErrorCode.GeneralError, message)
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
