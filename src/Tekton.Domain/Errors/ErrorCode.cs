namespace Tekton.Domain.Errors;

/// <summary>The Tekton error codes of the API reference; the HTTP status for each is chosen by the Web layer.</summary>
public enum ErrorCode
{
    GeneralError = 1000,
    ComponentNotFound = 1001,
    RegistrationFailed = 1002,
    DependencyResolutionFailed = 1003,
    StartupFailed = 1004,
    CircularDependency = 1005,
    Timeout = 1006,
    ResourceConstraintViolated = 1007,
    AuthorizationError = 1008,
    RouteNotFound = 1009,
    ModelNotAvailable = 1010,
    ComponentAlreadyExists = 1011,
    InvalidStateTransition = 1012,
}
