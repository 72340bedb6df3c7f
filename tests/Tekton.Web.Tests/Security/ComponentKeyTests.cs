using System.Net;
using System.Text;

namespace Tekton.Web.Tests.Security;

/// <summary>A Component key acts only as its own component, never sets what Tekton launches, and names only hosts Tekton may probe.</summary>
public sealed class ComponentKeyTests : IAsyncLifetime
{
    private SecuredTekton _tekton = null!;
    private HttpClient _component = null!;

    public async Task InitializeAsync()
    {
        _tekton = await SecuredTekton.StartAsync(new Dictionary<string, string?> { ["Tekton:Probes:AllowedHosts:0"] = "models.internal" });
        _component = _tekton.ClientFor(_tekton.ComponentKey);
    }

    public async Task DisposeAsync()
    {
        _component.Dispose();
        await _tekton.DisposeAsync();
    }

    [Fact]
    public async Task A_component_key_registers_and_heartbeats_as_itself()
    {
        using var registered = await RegisterAsync("alpha", null);
        registered.StatusCode.Should().Be(HttpStatusCode.Created);
        (await _component.PostAsync("/api/tekton/components/alpha/heartbeat", Json("{}"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_component_key_cannot_register_another_id()
    {
        var problem = await (await RegisterAsync("beta", null)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
        problem["detail"]!.GetValue<string>().Should().Contain("'alpha'");
        (await _tekton.Server.Client.GetAsync("/api/tekton/version")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var admin = _tekton.ClientFor(SecuredTekton.AdminKey);
        (await admin.GetAsync("/api/tekton/components/beta")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing was registered");
    }

    [Theory]
    [InlineData("\"launch\":{\"command\":\"/bin/sh\",\"args\":[\"-c\",\"id\"]}", "launch")]
    [InlineData("\"autostart\":true", "autostart")]
    [InlineData("\"requirements\":{\"min_memory_gb\":1}", "requirements")]
    public async Task A_component_key_cannot_set_what_Tekton_launches(string field, string name)
    {
        var problem = await (await RegisterAsync("alpha", field)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
        problem["detail"]!.GetValue<string>().Should().Contain(name);
    }

    [Fact]
    public async Task A_component_key_cannot_heartbeat_report_or_change_state_for_another_component()
    {
        await (await _component.PostAsync("/api/tekton/components/beta/heartbeat", Json("{}"))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
        await (await _component.PostAsync("/api/tekton/components/beta/resources", Json("{}"))).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
        await (await _component.PutAsync($"/api/tekton/components/beta/instances/{Guid.NewGuid()}/state", Json("""{"state":"ready"}""")))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("::1", true)]
    [InlineData("models.internal", true)]
    [InlineData("169.254.169.254", false)]
    [InlineData("10.0.0.7", false)]
    [InlineData("example.com", false)]
    public async Task A_component_key_names_only_hosts_Tekton_may_probe(string host, bool allowed)
    {
        using var response = await RegisterAsync("alpha", $"\"host\":\"{host}\",\"port\":8080,\"health_check\":\"/health\"");
        if (allowed)
        {
            response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        }
        else
        {
            (await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008))["detail"]!.GetValue<string>().Should().Contain(host);
        }
    }

    [Fact]
    public async Task A_host_an_admin_registered_stays_usable_by_the_component()
    {
        using var admin = _tekton.ClientFor(SecuredTekton.AdminKey);
        (await admin.PostAsync("/api/tekton/components", Json(Registration("alpha", "\"host\":\"10.0.0.7\",\"port\":8080")))).IsSuccessStatusCode.Should().BeTrue();

        (await RegisterAsync("alpha", "\"host\":\"10.0.0.7\",\"port\":8080")).IsSuccessStatusCode.Should().BeTrue();
        await (await RegisterAsync("alpha", "\"host\":\"10.0.0.8\",\"port\":8080")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
    }

    private Task<HttpResponseMessage> RegisterAsync(string id, string? extra) =>
        _component.PostAsync("/api/tekton/components", Json(Registration(id, extra)));

    private static string Registration(string id, string? extra) =>
        $$"""{"component_id":"{{id}}","component_name":"{{id}}","component_type":"service","version":"1.0.0"{{(extra is null ? string.Empty : "," + extra)}}}""";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
