using System.Net;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Components;
using Tekton.Application.Security;
using Tekton.Domain.Security;

namespace Tekton.Web.Security;

/// <summary>
/// What a Component key may put in a registration (design §11): only its own id; never <c>launch</c>,
/// <c>autostart</c> or <c>requirements</c> (those decide what Tekton runs, so they belong to an Admin); and a
/// <c>host</c> that health checks may reach: loopback, one of <c>Tekton:Probes:AllowedHosts</c>, or the host an
/// Admin registered for that component. So Tekton never probes a host that only a component named.
/// </summary>
public sealed class ComponentScope(RegistryProjection registry, IOptionsMonitor<ProbeOptions> probes, AuditTrail audit, IProblemDetailsService problems)
    : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (Caller.From(context.HttpContext.User) is { Role: Role.Component } caller
            && context.Arguments.OfType<RegisterComponent>().FirstOrDefault() is { } registration
            && Refusal(caller, registration) is { } refusal)
        {
            _ = audit.RecordAsync(AuditRecords.Denied(context.HttpContext, caller, StatusCodes.Status403Forbidden, refusal, target: registration.ComponentId));
            await AccessDeniedWriter.WriteAsync(context.HttpContext, problems, StatusCodes.Status403Forbidden, refusal);
            return Results.Empty;
        }

        return await next(context);
    }

    private string? Refusal(Caller caller, RegisterComponent registration)
    {
        if (registration.ComponentId is { } id && caller.Decide(Permission.ActAsComponent, id) != AccessDecision.Allowed)
        {
            return caller.Explain(AccessDecision.ForeignComponent, Permission.ActAsComponent, id);
        }

        var operatorFields = new[]
        {
            registration.Launch is null ? null : "launch",
            registration.Autostart is null ? null : "autostart",
            registration.Requirements is null ? null : "requirements",
        }.OfType<string>().ToList();
        if (operatorFields.Count > 0)
        {
            return $"A component key may not set {string.Join(", ", operatorFields)}: an Admin decides what Tekton launches.";
        }

        if (registration.Host is { } host && !HostAllowed(host, registration.ComponentId))
        {
            return $"Host '{host}' is not one Tekton may probe: use a loopback address, one of Tekton:Probes:AllowedHosts, or have an Admin register the component with it.";
        }

        return null;
    }

    private bool HostAllowed(string host, string? componentId) =>
        IsLoopback(host)
        || probes.CurrentValue.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase)
        || (componentId is not null && string.Equals(registry.Current.Find(componentId)?.Host, host, StringComparison.OrdinalIgnoreCase));

    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
