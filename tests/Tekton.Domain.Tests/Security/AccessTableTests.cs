using Tekton.Domain.Security;

namespace Tekton.Domain.Tests.Security;

/// <summary>Design §11's role table, every cell.</summary>
public sealed class AccessTableTests
{
    public static TheoryData<Role, Permission, bool> Cells()
    {
        var granted = new Dictionary<Permission, Role[]>
        {
            [Permission.Public] = [Role.Admin, Role.Component, Role.Monitor, Role.User],
            [Permission.Read] = [Role.Admin, Role.Component, Role.Monitor],
            [Permission.ActAsComponent] = [Role.Admin, Role.Component],
            [Permission.Administer] = [Role.Admin],
            [Permission.UseModels] = [Role.Admin, Role.Component, Role.Monitor, Role.User],
        };
        var data = new TheoryData<Role, Permission, bool>();
        foreach (var role in Enum.GetValues<Role>())
        {
            foreach (var permission in Enum.GetValues<Permission>())
            {
                data.Add(role, permission, granted[permission].Contains(role));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Each_role_gets_exactly_its_rows(Role role, Permission permission, bool granted)
    {
        AccessTable.Grants(role, permission).Should().Be(granted);
        AccessTable.Decide(role, "alpha", permission, null).Should().Be(granted ? AccessDecision.Allowed : AccessDecision.WrongRole);
    }

    [Fact]
    public void A_component_acts_only_as_its_own_id()
    {
        AccessTable.Decide(Role.Component, "alpha", Permission.ActAsComponent, "alpha").Should().Be(AccessDecision.Allowed);
        AccessTable.Decide(Role.Component, "alpha", Permission.ActAsComponent, "beta").Should().Be(AccessDecision.ForeignComponent);
        AccessTable.Decide(Role.Component, "alpha", Permission.ActAsComponent, "ALPHA").Should().Be(AccessDecision.ForeignComponent);
        AccessTable.Decide(Role.Component, null, Permission.ActAsComponent, "alpha").Should().Be(AccessDecision.ForeignComponent);
        AccessTable.Decide(Role.Component, "alpha", Permission.Read, "beta").Should().Be(AccessDecision.Allowed, "reading is not acting");
        AccessTable.Decide(Role.Admin, null, Permission.ActAsComponent, "beta").Should().Be(AccessDecision.Allowed);
    }

    [Fact]
    public void Role_wire_names_round_trip()
    {
        foreach (var role in Roles.All)
        {
            Roles.TryParse(role.WireName(), out var parsed).Should().BeTrue();
            parsed.Should().Be(role);
        }

        Roles.TryParse("Admin", out _).Should().BeFalse("wire names are lowercase");
        Roles.TryParse("root", out _).Should().BeFalse();
    }
}
