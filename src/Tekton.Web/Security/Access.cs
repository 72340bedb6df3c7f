using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Tekton.Application.Security;
using Tekton.Domain.Errors;
using Tekton.Domain.Security;

namespace Tekton.Web.Security;

/// <summary>Endpoint metadata: the row of the role table an endpoint belongs to.</summary>
public sealed record RequiredPermission(Permission Permission);

/// <summary>How endpoints declare their row of the role table (design §11), and the policies that enforce it.</summary>
public static class Access
{
    public static string PolicyName(Permission permission) => "tekton:" + permission;

    /// <summary>Puts an endpoint (or group) in a row of the role table. Every endpoint must say which.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiredPermission(permission));
        return permission == Permission.Public ? builder.AllowAnonymous() : builder.RequireAuthorization(PolicyName(permission));
    }

    public static void AddPolicies(AuthorizationOptions options)
    {
        foreach (var permission in Enum.GetValues<Permission>().Where(p => p != Permission.Public))
        {
            // No scheme named here: the one default scheme has already authenticated the request (naming it would run it twice).
            options.AddPolicy(PolicyName(permission), policy => policy
                .RequireAuthenticatedUser()
                .AddRequirements(new PermissionRequirement(permission)));
        }

        // An endpoint that names no row is Admin-only: forgetting a rule never opens anything up.
        options.FallbackPolicy = new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(new PermissionRequirement(Permission.Administer))
            .Build();
    }
}

public sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

/// <summary>Reads the role table for the caller, and for a Component key compares the path's <c>component_id</c> with its own.</summary>
public sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (Caller.From(context.User) is not { } caller)
        {
            return Task.CompletedTask;
        }

        var http = context.Resource as HttpContext;
        if (http is not null && http.GetEndpoint() is not RouteEndpoint)
        {
            // No endpoint matched, or only the router's own 405/415 rejection (the fallback policy): nothing to
            // protect, so an authenticated caller gets the 404, 405 or 415 rather than a 403.
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var target = http?.GetRouteValue("component_id") as string;
        var decision = caller.Decide(requirement.Permission, target);
        if (decision == AccessDecision.Allowed)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, caller.Explain(decision, requirement.Permission, target)));
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Writes refusals in Tekton's one error shape: 401 (no or bad credentials, with <c>WWW-Authenticate</c>) or
/// 403 (wrong role, foreign component), both problem+json with code 1008, and records each in the audit trail.
/// </summary>
public sealed class AccessDeniedWriter(AuditTrail audit, IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }

        var caller = Caller.From(context.User);
        var authenticated = caller is not null && !result.Challenged;
        var detail = authenticated
            ? result.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message ?? "This credential may not do this."
            : TektonAuthentication.FailureOf(context)
              ?? "Credentials are required: send an API key or token as 'Authorization: Bearer ...' or 'X-API-Key'.";
        var status = authenticated ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        _ = audit.RecordAsync(AuditRecords.Denied(context, caller, status, detail));
        await WriteAsync(context, problems, status, detail);
    }

    public static async Task WriteAsync(HttpContext context, IProblemDetailsService problems, int status, string detail)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = TektonAuthentication.Challenge(context);
        }

        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status401Unauthorized ? "Authentication required." : "Authorization error.",
            Detail = detail,
        };
        problem.Extensions["code"] = (int)ErrorCode.AuthorizationError;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
