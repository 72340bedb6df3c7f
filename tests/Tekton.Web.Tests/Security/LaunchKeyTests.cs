using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Security;

/// <summary>With auth on, a process Tekton launches gets TEKTON_API_KEY: a Component key for its own id only.</summary>
public sealed class LaunchKeyTests : IAsyncLifetime
{
    private readonly string _marker = $"tekton-test-{Guid.NewGuid():N}";
    private SecuredTekton _tekton = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _tekton = await SecuredTekton.StartAsync(new Dictionary<string, string?> { ["Tekton:Supervision:StopProcessesOnShutdown"] = "true" });
        _admin = _tekton.ClientFor(SecuredTekton.AdminKey);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _tekton.DisposeAsync();
        Processes.KillAll(_marker);
    }

    [Fact]
    public async Task A_launched_process_acts_as_its_own_component_with_the_key_it_was_given()
    {
        var launch = new JsonObject { ["command"] = "/bin/sh", ["args"] = new JsonArray("-c", $": {_marker}; echo \"$TEKTON_API_KEY\"; while true; do sleep 0.2; done") };
        var registration = new JsonObject
        {
            ["component_id"] = "worker", ["component_name"] = "worker", ["component_type"] = "service", ["version"] = "1.0.0", ["launch"] = launch,
        };
        (await _admin.PostAsync("/api/tekton/components", new StringContent(registration.ToJsonString(), Encoding.UTF8, "application/json")))
            .IsSuccessStatusCode.Should().BeTrue();
        (await _admin.PostAsync("/api/tekton/components/worker/start?wait=true", null)).StatusCode.Should().Be(HttpStatusCode.OK);

        var key = await LaunchKeyAsync();
        key.Should().StartWith("tk_");
        using var process = _tekton.ClientFor(key);
        (await process.PostAsJsonAsync("/api/tekton/components/worker/heartbeat", new { })).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await process.PostAsJsonAsync("/api/tekton/components/alpha/heartbeat", new { })).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
        await (await process.PostAsync("/api/tekton/components/worker/stop", null)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);

        (await _admin.DeleteAsync("/api/tekton/components/worker")).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await process.GetAsync("/api/tekton/components")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, 1008);
        var keys = (await _admin.GetFromJsonAsync<JsonObject>("/api/tekton/auth/keys"))!["keys"]!.AsArray();
        keys.Should().NotContain(k => k!["name"]!.GetValue<string>() == "launch:worker", "a deregistered component's launch key is revoked");
    }

    private async Task<string> LaunchKeyAsync()
    {
        string? key = null;
        (await Processes.EventuallyAsync(async () =>
        {
            var lines = (await _admin.GetFromJsonAsync<JsonObject>("/api/tekton/components/worker/logs?tail=5"))!["lines"]!.AsArray();
            key = lines.Select(l => l!.GetValue<string>()).FirstOrDefault(l => l.StartsWith("tk_", StringComparison.Ordinal));
            return key is not null;
        })).Should().BeTrue("the process prints its key");
        return key!;
    }
}
