using Tekton.Domain.Errors;

namespace Tekton.Web.Infrastructure;

/// <summary>The HTTP status of each Tekton error code (design §4).</summary>
public static class ErrorStatus
{
    public static int For(ErrorCode code) => code switch
    {
        ErrorCode.GeneralError => StatusCodes.Status400BadRequest,
        ErrorCode.ComponentNotFound => StatusCodes.Status404NotFound,
        ErrorCode.RegistrationFailed => StatusCodes.Status400BadRequest,
        ErrorCode.DependencyResolutionFailed => StatusCodes.Status409Conflict,
        ErrorCode.StartupFailed => StatusCodes.Status409Conflict,
        ErrorCode.CircularDependency => StatusCodes.Status409Conflict,
        ErrorCode.Timeout => StatusCodes.Status504GatewayTimeout,
        ErrorCode.ResourceConstraintViolated => StatusCodes.Status409Conflict,
        ErrorCode.AuthorizationError => StatusCodes.Status403Forbidden,
        ErrorCode.RouteNotFound => StatusCodes.Status404NotFound,
        ErrorCode.ModelNotAvailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.ComponentAlreadyExists => StatusCodes.Status409Conflict,
        ErrorCode.InvalidStateTransition => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };
}

/// <summary>Endpoint metadata: the code of a request that cannot be read (malformed JSON, wrong types, unknown fields).</summary>
public sealed record BadRequestCode(ErrorCode Code);
