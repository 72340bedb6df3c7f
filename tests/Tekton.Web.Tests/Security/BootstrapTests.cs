using System.Net;

namespace Tekton.Web.Tests.Security;

/// <summary>The first Admin key, and what Tekton refuses to start with.</summary>
public sealed class BootstrapTests
{
    [Fact]
    public async Task First_start_with_auth_on_writes_an_admin_key_only_its_owner_can_read()
    {
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Auth:Enabled"] = "true" });
        var path = Path.Combine(server.DataDirectory, "bootstrap-admin.key");
        File.Exists(path).Should().BeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var key = File.ReadAllText(path).Trim();
        key.Should().MatchRegex("^tk_[A-Za-z0-9_-]{43}$");

        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        (await client.GetAsync("/api/tekton/auth/keys")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        (await client.GetAsync("/api/tekton/auth/keys")).StatusCode.Should().Be(HttpStatusCode.OK);

        File.Delete(path);
        await server.RestartAsync();
        File.Exists(path).Should().BeFalse("a bootstrap key is made only while there are no keys");
        using var again = new HttpClient { BaseAddress = server.BaseAddress };
        again.DefaultRequestHeaders.Add("X-API-Key", key);
        (await again.GetAsync("/api/tekton/auth/keys")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Auth_off_serves_everyone_on_loopback()
    {
        await using var server = await TektonServer.StartAsync();
        (await server.Client.GetAsync("/api/tekton/auth/keys")).StatusCode.Should().Be(HttpStatusCode.OK);
        File.Exists(Path.Combine(server.DataDirectory, "bootstrap-admin.key")).Should().BeFalse();
    }

    [Fact]
    public async Task A_bootstrap_key_too_short_to_be_safe_refuses_to_start()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-test-").FullName;
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(
                Path.Combine(directory, "tekton.db"),
                new Dictionary<string, string> { ["TEKTON_BOOTSTRAP_ADMIN_KEY"] = "tk_short" },
                "--Tekton:Auth:Enabled=true");
            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain("TEKTON_BOOTSTRAP_ADMIN_KEY must be at least 24 characters");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_bootstrap_key_without_the_tk_prefix_refuses_to_start_rather_than_lock_the_admin_out()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-test-").FullName;
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(
                Path.Combine(directory, "tekton.db"),
                new Dictionary<string, string> { ["TEKTON_BOOTSTRAP_ADMIN_KEY"] = "long-enough-admin-secret-0123456789" },
                "--Tekton:Auth:Enabled=true");
            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain("TEKTON_BOOTSTRAP_ADMIN_KEY must start with 'tk_'").And.Contain("openssl rand");
            tekton.Output.Should().NotContain("Now listening on");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--urls", "http://0.0.0.0:0")]
    [InlineData("--urls", "http://*:0")]
    [InlineData("--Kestrel:Endpoints:Open:Url", "http://[::]:0")]
    public async Task Listening_beyond_loopback_with_auth_off_refuses_to_start(string option, string value)
    {
        var directory = Directory.CreateTempSubdirectory("tekton-test-").FullName;
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(Path.Combine(directory, "tekton.db"), option, value);
            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain("authentication off").And.Contain("Tekton:Auth:Enabled=true").And.Contain("127.0.0.1");
            tekton.Output.Should().NotContain("Now listening on");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
