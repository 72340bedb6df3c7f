namespace Tekton.Domain.Security;

/// <summary>The rows of design §11's role table: every operation Tekton offers belongs to exactly one.</summary>
public enum Permission
{
    /// <summary>Version and <c>/health/*</c>: no credentials needed.</summary>
    Public,

    /// <summary>Read components, status, graph, resources, events and metrics.</summary>
    Read,

    /// <summary>What a component says about itself: register, heartbeat, state, resource reports, signals.</summary>
    ActAsComponent,

    /// <summary>Start, stop, deregister, logs, keys, model writes, the audit trail.</summary>
    Administer,

    /// <summary>Models, capabilities and routing.</summary>
    UseModels,
}

/// <summary>Why a request was or was not allowed.</summary>
public enum AccessDecision
{
    Allowed,

    /// <summary>The role may never do this (403).</summary>
    WrongRole,

    /// <summary>A Component credential acting for another component (403).</summary>
    ForeignComponent,
}

/// <summary>Design §11's role table as data, and the one function that reads it.</summary>
public static class AccessTable
{
    private static readonly IReadOnlyDictionary<Permission, Role[]> Granted = new Dictionary<Permission, Role[]>
    {
        [Permission.Public] = [Role.Admin, Role.Component, Role.Monitor, Role.User],
        [Permission.Read] = [Role.Admin, Role.Component, Role.Monitor],
        [Permission.ActAsComponent] = [Role.Admin, Role.Component],
        [Permission.Administer] = [Role.Admin],
        [Permission.UseModels] = [Role.Admin, Role.Component, Role.Monitor, Role.User],
    };

    public static bool Grants(Role role, Permission permission) => Granted[permission].Contains(role);

    /// <summary>
    /// The decision for <paramref name="role"/> (a Component credential bound to <paramref name="ownComponentId"/>)
    /// asking for <paramref name="permission"/> on <paramref name="targetComponentId"/> (null when the operation names none).
    /// A Component credential acts only as its own component.
    /// </summary>
    public static AccessDecision Decide(Role role, string? ownComponentId, Permission permission, string? targetComponentId)
    {
        if (!Grants(role, permission))
        {
            return AccessDecision.WrongRole;
        }

        return permission == Permission.ActAsComponent && role == Role.Component && targetComponentId is not null
            && !string.Equals(ownComponentId, targetComponentId, StringComparison.Ordinal)
            ? AccessDecision.ForeignComponent
            : AccessDecision.Allowed;
    }
}
