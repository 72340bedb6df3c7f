namespace Tekton.Domain.Security;

/// <summary>Who a credential speaks for (design §11). The wire names are the lowercase names.</summary>
public enum Role
{
    Admin,
    Component,
    Monitor,
    User,
}

public static class Roles
{
    public static readonly IReadOnlyList<Role> All = Enum.GetValues<Role>();

    public static string WireName(this Role role) => role switch
    {
        Role.Admin => "admin",
        Role.Component => "component",
        Role.Monitor => "monitor",
        Role.User => "user",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static bool TryParse(string? name, out Role role)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.WireName(), name, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }
}
