using System.Text.Json;

namespace Tekton.Cli.Tests.Security;

public sealed class KeysAndTokenCommandTests(SecuredTekton tekton) : IClassFixture<SecuredTekton>
{
    private TektonCli Admin => new(tekton.Server.BaseAddress, TektonServerProcess.AdminKey);

    [Fact]
    public async Task Keys_create_list_and_revoke_manage_keys_and_a_revoked_key_is_refused_with_5()
    {
        var created = await Admin.RunAsync("keys", "create", "--name", "cli-monitor", "--role", "monitor", "--json");
        created.ExitCode.Should().Be(0, created.ToString());
        using var key = JsonDocument.Parse(created.StandardOutput);
        var id = key.RootElement.GetProperty("id").GetString()!;
        var secret = key.RootElement.GetProperty("api_key").GetString()!;
        key.RootElement.GetProperty("role").GetString().Should().Be("monitor");
        secret.Should().StartWith("tk_");
        var monitor = new TektonCli(tekton.Server.BaseAddress, secret);
        (await monitor.RunAsync("components", "list")).ExitCode.Should().Be(0);

        var listed = await Admin.RunAsync("keys", "list");
        listed.ExitCode.Should().Be(0, listed.ToString());
        listed.OutputLines.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3))
            .Should().ContainEquivalentOf(new[] { id, "cli-monitor", "monitor" });
        listed.StandardOutput.Should().NotContain(secret);

        var revoked = await Admin.RunAsync("keys", "revoke", id);
        revoked.ExitCode.Should().Be(0, revoked.ToString());
        revoked.StandardOutput.Should().Be($"{id}: API key revoked\n");
        var refused = await monitor.RunAsync("components", "list");
        refused.ExitCode.Should().Be(5, refused.ToString());
        refused.StandardError.Should().Contain("(code 1008)");
    }

    [Fact]
    public async Task Keys_create_of_a_component_key_prints_its_secret_once()
    {
        var created = await Admin.RunAsync("keys", "create", "--name", "cli-engram", "--role", "component", "--component-id", "engram");

        created.ExitCode.Should().Be(0, created.ToString());
        created.OutputLines.Should().Contain(line => line.StartsWith("component ", StringComparison.Ordinal) && line.EndsWith(" engram", StringComparison.Ordinal));
        created.OutputLines.Should().Contain(line => line.StartsWith("api key ", StringComparison.Ordinal) && line.Contains(" tk_", StringComparison.Ordinal));
        created.StandardError.Should().Contain("shown only now");
    }

    [Fact]
    public async Task Token_prints_a_jwt_alone_that_the_cli_can_use_instead_of_the_key()
    {
        var token = await Admin.RunAsync("token");

        token.ExitCode.Should().Be(0, token.ToString());
        var jwt = token.StandardOutput.TrimEnd('\n');
        jwt.Split('.').Should().HaveCount(3, "a JWT is header.payload.signature");
        token.StandardError.Should().Contain("role admin");
        var withToken = await new TektonCli(tekton.Server.BaseAddress).RunAsync("components", "list", "--api-key", jwt);
        withToken.ExitCode.Should().Be(0, withToken.ToString());
    }

    [Fact]
    public async Task A_missing_or_wrong_key_exits_5_and_a_role_that_may_not_exits_5()
    {
        var missing = await new TektonCli(tekton.Server.BaseAddress).RunAsync("components", "list");
        var wrong = await new TektonCli(tekton.Server.BaseAddress, "tk_not-a-key").RunAsync("components", "list");
        var socket = await new TektonCli(tekton.Server.BaseAddress).RunAsync("watch", "state");
        var created = await Admin.RunAsync("keys", "create", "--name", "cli-user", "--role", "user", "--json");
        using var user = JsonDocument.Parse(created.StandardOutput);
        var forbidden = await new TektonCli(tekton.Server.BaseAddress, user.RootElement.GetProperty("api_key").GetString()).RunAsync("keys", "list");

        missing.ExitCode.Should().Be(5, missing.ToString());
        missing.StandardError.Should().StartWith("error: ").And.EndWith("(code 1008)\n");
        wrong.ExitCode.Should().Be(5, wrong.ToString());
        socket.ExitCode.Should().Be(5, socket.ToString());
        forbidden.ExitCode.Should().Be(5, forbidden.ToString());
    }

    [Fact]
    public async Task Token_without_a_key_is_a_usage_error()
    {
        var result = await new TektonCli(tekton.Server.BaseAddress).RunAsync("token");

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().Be("error: no API key to exchange: pass --api-key or set TEKTON_API_KEY.\n");
    }
}
