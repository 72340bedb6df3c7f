using Tekton.Domain.Errors;

namespace Tekton.Application.Common;

/// <summary>Something named in the path that is not a component does not exist: 404 with code 1000.</summary>
public sealed class NotFoundException(string message) : TektonException(ErrorCode.GeneralError, message);

/// <summary>A Tekton error that may go away by itself: answered with <c>Retry-After</c>.</summary>
public sealed class RetryLaterException(TektonException error, int retryAfterSeconds)
    : TektonException(error.Code, error.Message, error.Details)
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>A collection or body beyond a configured limit: 413 with code 1007 (design §4).</summary>
public sealed class LimitExceededException(string message) : TektonException(ErrorCode.ResourceConstraintViolated, message);
