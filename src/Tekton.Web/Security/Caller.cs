using System.Security.Claims;
using Tekton.Domain.Security;

namespace Tekton.Web.Security;

/// <summary>Who made a request, as the authentication handler established it.</summary>
public sealed record Caller(string Name, Role Role, string? KeyId, string? ComponentId)
{
    public const string RoleClaim = "tekton:role";
    public const string KeyIdClaim = "tekton:key_id";
    public const string ComponentIdClaim = "tekton:component_id";

    /// <summary>With auth off every request is the local operator, an Admin (Tekton then listens on loopback only).</summary>
    public static readonly Caller Local = new("local", Role.Admin, null, null);

    /// <summary><see cref="Local"/> as a principal, made once.</summary>
    public static readonly ClaimsPrincipal LocalPrincipal = Local.ToPrincipal("Tekton");

    /// <summary>The caller of an authenticated principal; null for an anonymous one.</summary>
    public static Caller? From(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && Roles.TryParse(user.FindFirstValue(RoleClaim), out var role)
            ? new Caller(user.Identity.Name ?? "unknown", role, user.FindFirstValue(KeyIdClaim), user.FindFirstValue(ComponentIdClaim))
            : null;

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, Name), new(RoleClaim, Role.WireName()) };
        if (KeyId is not null)
        {
            claims.Add(new Claim(KeyIdClaim, KeyId));
        }

        if (ComponentId is not null)
        {
            claims.Add(new Claim(ComponentIdClaim, ComponentId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, RoleClaim));
    }

    public AccessDecision Decide(Permission permission, string? targetComponentId) =>
        AccessTable.Decide(Role, ComponentId, permission, targetComponentId);

    /// <summary>Why a decision other than Allowed was reached, in words.</summary>
    public string Explain(AccessDecision decision, Permission permission, string? targetComponentId) => decision switch
    {
        AccessDecision.ForeignComponent =>
            $"This {Role.WireName()} key acts only as component '{ComponentId}', not '{targetComponentId}'.",
        _ => $"The {Role.WireName()} role may not {Describe(permission)}.",
    };

    private static string Describe(Permission permission) => permission switch
    {
        Permission.Read => "read components, resources or events",
        Permission.ActAsComponent => "register, heartbeat or report for a component",
        Permission.Administer => "start, stop, deregister, read logs, or manage keys, models and the audit trail",
        Permission.UseModels => "use models or routing",
        _ => "do this",
    };
}
