using Microsoft.AspNetCore.SignalR;
using Tekton.Application.Security;
using Tekton.Domain.Errors;
using Tekton.Domain.Security;
using Tekton.Web.Events;

namespace Tekton.Web.Security;

/// <summary>
/// The role table for hub methods: each method of <see cref="TektonHub"/> is listed with its row, and a method
/// that is not listed is refused, so a new one cannot be reached before it is given a rule.
/// </summary>
public sealed class HubAccess(AuditTrail audit) : IHubFilter
{
    public static readonly IReadOnlyDictionary<string, Permission> Methods = new Dictionary<string, Permission>(StringComparer.Ordinal)
    {
        [nameof(TektonHub.SubscribeHeartbeats)] = Permission.Read,
        [nameof(TektonHub.SubscribeHeartbeatsSince)] = Permission.Read,
        [nameof(TektonHub.UnsubscribeHeartbeats)] = Permission.Read,
        [nameof(TektonHub.SubscribeStateChanges)] = Permission.Read,
        [nameof(TektonHub.SubscribeStateChangesFor)] = Permission.Read,
        [nameof(TektonHub.UnsubscribeStateChanges)] = Permission.Read,
    };

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        var caller = Caller.From(invocationContext.Context.User ?? new System.Security.Claims.ClaimsPrincipal());
        var decision = caller is null ? AccessDecision.WrongRole
            : Methods.TryGetValue(method, out var permission) ? caller.Decide(permission, null)
            : AccessDecision.WrongRole;
        if (decision != AccessDecision.Allowed)
        {
            var detail = caller is null ? "Credentials are required." : $"The {caller.Role.WireName()} role may not call {method}.";
            if (invocationContext.Context.GetHttpContext() is { } http)
            {
                _ = audit.RecordAsync(AuditRecords.Denied(http, caller, StatusCodes.Status403Forbidden, detail, "hub:" + method));
            }

            throw new HubException($"[{(int)ErrorCode.AuthorizationError}] {detail}");
        }

        return await next(invocationContext);
    }
}
