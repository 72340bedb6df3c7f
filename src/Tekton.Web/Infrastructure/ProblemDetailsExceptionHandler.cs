using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Common;
using Tekton.Domain.Errors;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// The one place exceptions become answers: every error is RFC 9457 problem+json with the Tekton <c>code</c>,
/// <c>success: false</c> and a <c>trace_id</c> (added by <see cref="CustomizeProblem"/>); never a stack trace.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(
    IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        var problem = exception switch
        {
            RegistryWriteFailedException failed when failed.StorageFull || StorageErrors.IsFull(failed.Cause) => StorageFull(),
            _ when StorageErrors.IsFull(exception) => StorageFull(),
            RegistryWriteFailedException failed => Problem(failed.Code, "The registry is unavailable.", failed.Message, null,
                status: StatusCodes.Status503ServiceUnavailable),
            UnavailableException unavailable => Problem(unavailable.Code, "Tekton is at a limit.", unavailable.Message, null,
                status: StatusCodes.Status503ServiceUnavailable),
            LimitExceededException limit => Problem(limit.Code, "Limit reached.", limit.Message, null, status: StatusCodes.Status413PayloadTooLarge),
            Tekton.Application.Security.UnauthenticatedException unauthenticated => Problem(unauthenticated.Code, "Authentication required.",
                unauthenticated.Message, null, status: StatusCodes.Status401Unauthorized),
            NotFoundException notFound => Problem(notFound.Code, "Not found.", notFound.Message, null, status: StatusCodes.Status404NotFound),
            RequestValidationException validation => Problem(validation.Code, "The request is invalid.", validation.Message, validation.Errors),
            TektonException tekton => Problem(tekton.Code, Title(tekton.Code), tekton.Message, null, tekton.Details),
            BadHttpRequestException badRequest => Unreadable(httpContext, badRequest),
            _ => Unexpected(httpContext, exception),
        };

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        var retryAfter = exception switch
        {
            UnavailableException unavailableLater => unavailableLater.RetryAfterSeconds,
            RetryLaterException later => later.RetryAfterSeconds,
            _ => (int?)null,
        };
        if (retryAfter is { } seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>Adds the members every Tekton error carries, including errors produced by the framework (404, 405).</summary>
    public static void CustomizeProblem(ProblemDetailsContext context)
    {
        var extensions = context.ProblemDetails.Extensions;
        var status = context.ProblemDetails.Status;
        extensions.TryAdd("code", (int)(status is StatusCodes.Status413PayloadTooLarge ? ErrorCode.ResourceConstraintViolated : ErrorCode.GeneralError));
        extensions["success"] = false;
        extensions["trace_id"] = RequestTrace.Id(context.HttpContext);
        if (context.ProblemDetails.Detail is not null)
        {
            return;
        }

        if (status is StatusCodes.Status404NotFound)
        {
            context.ProblemDetails.Detail = $"No endpoint answers {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}.";
        }
        else if (status is StatusCodes.Status405MethodNotAllowed)
        {
            context.ProblemDetails.Detail = $"{context.HttpContext.Request.Path} does not answer {context.HttpContext.Request.Method}.";
        }
        else if (status is StatusCodes.Status413PayloadTooLarge)
        {
            context.ProblemDetails.Detail = $"The request body exceeds the limit of {DependencyInjection.MaxRequestBodyBytes / 1024 / 1024} MiB.";
        }
        else if (status is StatusCodes.Status415UnsupportedMediaType)
        {
            context.ProblemDetails.Detail = "Send the body as application/json.";
        }
    }

    /// <summary>A full disk or database: 507 with 1007 (api.md decision 55), whichever store refused the write.</summary>
    private static ProblemDetails StorageFull() =>
        Problem(ErrorCode.ResourceConstraintViolated, "The database is full.", RegistryWriteFailedException.StorageFullMessage, null,
            status: StatusCodes.Status507InsufficientStorage);

    private static ProblemDetails Problem(
        ErrorCode code,
        string title,
        string detail,
        IReadOnlyDictionary<string, string[]>? errors,
        IReadOnlyDictionary<string, object?>? details = null,
        int? status = null)
    {
        var problem = new ProblemDetails { Status = status ?? ErrorStatus.For(code), Title = title, Detail = detail };
        problem.Extensions["code"] = (int)code;
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }

        foreach (var (key, value) in details ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    /// <summary>A request that could not be read: too large, not JSON, wrong types, unknown or missing fields.</summary>
    private static ProblemDetails Unreadable(HttpContext httpContext, BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(ErrorCode.ResourceConstraintViolated, "The request body is too large.",
                "The request body exceeds the limit of 1 MiB.", null, status: StatusCodes.Status413PayloadTooLarge);
        }

        // The exception handler clears the endpoint; the feature keeps the one that failed.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        var code = endpoint?.Metadata.GetMetadata<BadRequestCode>()?.Code ?? ErrorCode.GeneralError;
        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            // 1000 on every endpoint, as when the framework refuses another content type itself: 1002 is for a registration's content.
            return Problem(ErrorCode.GeneralError, "Unsupported Media Type", "Send the body as application/json.", null,
                status: StatusCodes.Status415UnsupportedMediaType);
        }

        var (field, message) = exception.InnerException is JsonException json ? Describe(json) : Describe(exception);
        return Problem(code, "The request could not be read.", message,
            new Dictionary<string, string[]> { [field] = [message] }, status: StatusCodes.Status400BadRequest);
    }

    private static (string Field, string Message) Describe(JsonException json)
    {
        var field = FieldOf(json.Path);
        if (json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var name = ExtractQuoted(json.Message) ?? field;
            return (name, $"'{name}' is not a known field.");
        }

        if (json.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return (field, $"'{field}' has a value of the wrong type or format.");
        }

        if (json.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return ("body", $"The JSON is nested more than {TektonJsonContext.MaxJsonDepth} levels deep.");
        }

        var reader = json.LineNumber is { } line ? $" (line {line + 1}, position {json.BytePositionInLine + 1})" : string.Empty;
        return ("body", $"The body is not valid JSON{reader}.");
    }

    private static (string Field, string Message) Describe(BadHttpRequestException exception)
    {
        var message = exception.Message;
        if (message.Contains("from body", StringComparison.OrdinalIgnoreCase) && message.Contains("not provided", StringComparison.OrdinalIgnoreCase))
        {
            return ("body", "A JSON body is required.");
        }

        var parameter = ExtractQuoted(message);
        if (parameter is not null && message.StartsWith("Failed to bind parameter", StringComparison.Ordinal))
        {
            var name = parameter.Split(' ').Last();
            return (JsonNamingPolicy.SnakeCaseLower.ConvertName(name), $"'{JsonNamingPolicy.SnakeCaseLower.ConvertName(name)}' has an invalid value.");
        }

        return ("request", "The request could not be read.");
    }

    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    private static string? ExtractQuoted(string text)
    {
        var start = text.IndexOfAny(['\'', '"']);
        if (start < 0)
        {
            return null;
        }

        var end = text.IndexOf(text[start], start + 1);
        return end > start ? text[(start + 1)..end] : null;
    }

    private ProblemDetails Unexpected(HttpContext httpContext, Exception exception)
    {
        LogUnexpected(exception, httpContext.Request.Method, httpContext.Request.Path, RequestTrace.Id(httpContext));
        return Problem(ErrorCode.GeneralError, "An unexpected error occurred.",
            "Tekton could not complete the request; the server log has the details under this trace_id.", null,
            status: StatusCodes.Status500InternalServerError);
    }

    private static string Title(ErrorCode code) => code switch
    {
        ErrorCode.ComponentNotFound => "Component not found.",
        ErrorCode.RegistrationFailed => "Registration failed.",
        ErrorCode.DependencyResolutionFailed => "Dependency resolution failed.",
        ErrorCode.StartupFailed => "Startup failed.",
        ErrorCode.CircularDependency => "Circular dependency detected.",
        ErrorCode.Timeout => "Timeout.",
        ErrorCode.ResourceConstraintViolated => "Resource constraint violated.",
        ErrorCode.AuthorizationError => "Authorization error.",
        ErrorCode.RouteNotFound => "Route not found.",
        ErrorCode.ModelNotAvailable => "Model not available.",
        ErrorCode.ComponentAlreadyExists => "Component already exists.",
        ErrorCode.InvalidStateTransition => "Invalid component state transition.",
        _ => "General error.",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path} (trace_id {TraceId})")]
    private partial void LogUnexpected(Exception exception, string method, string path, string traceId);
}
