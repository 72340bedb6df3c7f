using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Security;

/// <summary>The audit trail: Admin actions and denied requests, durable, readable by Admins only.</summary>
public sealed class AuditTests
{
    [Fact]
    public async Task Admin_actions_and_denied_requests_are_recorded_and_survive_a_restart()
    {
        var before = DateTimeOffset.UtcNow;
        await using var tekton = await SecuredTekton.StartAsync();
        using var admin = tekton.ClientFor(SecuredTekton.AdminKey);
        (await admin.PostAsJsonAsync("/api/tekton/components", new
        {
            component_id = "alpha", component_name = "a", component_type = "service", version = "1.0.0",
        })).IsSuccessStatusCode.Should().BeTrue();
        (await admin.PostAsync("/api/tekton/components/alpha/start", null)).StatusCode.Should().Be(HttpStatusCode.Conflict, "alpha has no launch spec");
        (await admin.PutAsJsonAsync("/api/tekton/models/audited-model", new { provider = "ollama", capabilities = new[] { "chat" }, tier = 1, context_window = 4096 }))
            .IsSuccessStatusCode.Should().BeTrue();
        (await admin.DeleteAsync("/api/tekton/components/alpha")).StatusCode.Should().Be(HttpStatusCode.OK);
        using (var monitor = tekton.ClientFor(tekton.MonitorKey))
        {
            (await monitor.DeleteAsync("/api/tekton/components/alpha")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        using (var anonymous = tekton.ClientFor(null))
        {
            (await anonymous.GetAsync("/api/tekton/components")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        await tekton.Server.RestartAsync();
        using var after = tekton.ClientFor(SecuredTekton.AdminKey);
        // Admin actions are committed before they are answered; denials are queued and written by shutdown at the latest.
        var entries = (await after.GetFromJsonAsync<JsonObject>("/api/tekton/audit?limit=1000"))!["entries"]!.AsArray();

        Entry(entries, "CreateApiKey", "allowed").Should().NotBeNull("keys made at setup are Admin actions");
        var start = Entry(entries, "StartComponent", "allowed")!;
        start["actor"]!.GetValue<string>().Should().Be("bootstrap");
        start["role"]!.GetValue<string>().Should().Be("admin");
        start["target"]!.GetValue<string>().Should().Be("alpha");
        start["status"]!.GetValue<int>().Should().Be(409);
        start["client_address"]!.GetValue<string>().Should().Be("127.0.0.1");
        var at = start["at"]!.GetValue<string>();
        at.Should().EndWith("Z", "times are RFC 3339 UTC");
        DateTimeOffset.Parse(at, CultureInfo.InvariantCulture).Should().BeOnOrAfter(before).And.BeOnOrBefore(DateTimeOffset.UtcNow, "it is when the action happened");
        Entry(entries, "PutModel", "allowed")!["target"]!.GetValue<string>().Should().Be("audited-model");
        Entry(entries, "DeregisterComponent", "allowed")!["status"]!.GetValue<int>().Should().Be(200);

        var denied = Entry(entries, "DeregisterComponent", "denied")!;
        denied["actor"]!.GetValue<string>().Should().Be("monitor-key");
        denied["status"]!.GetValue<int>().Should().Be(403);
        var anonymousEntry = Entry(entries, "ListComponents", "denied")!;
        anonymousEntry["actor"]!.GetValue<string>().Should().Be("anonymous");
        anonymousEntry["status"]!.GetValue<int>().Should().Be(401);
        entries.Should().NotContain(e => e!["action"]!.GetValue<string>() == "GetComponent", "reads are not Admin actions");
    }

    [Fact]
    public async Task Only_admins_read_the_trail_and_it_pages_newest_first()
    {
        await using var tekton = await SecuredTekton.StartAsync();
        using (var monitor = tekton.ClientFor(tekton.MonitorKey))
        {
            await (await monitor.GetAsync("/api/tekton/audit")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
        }

        using var admin = tekton.ClientFor(SecuredTekton.AdminKey);
        var first = (await admin.GetFromJsonAsync<JsonObject>("/api/tekton/audit?limit=2"))!;
        var page = first["entries"]!.AsArray();
        page.Should().HaveCount(2);
        page[0]!["id"]!.GetValue<long>().Should().BeGreaterThan(page[1]!["id"]!.GetValue<long>());
        var next = first["next_before_id"]!.GetValue<long>();
        var second = (await admin.GetFromJsonAsync<JsonObject>($"/api/tekton/audit?limit=2&before_id={next}"))!["entries"]!.AsArray();
        second.Should().OnlyContain(e => e!["id"]!.GetValue<long>() < next);
        (await admin.GetFromJsonAsync<JsonObject>("/api/tekton/audit?outcome=denied"))!["entries"]!.AsArray()
            .Should().OnlyContain(e => e!["outcome"]!.GetValue<string>() == "denied");
        await (await admin.GetAsync("/api/tekton/audit?limit=0")).ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
    }

    [Fact]
    public async Task Only_the_newest_entries_are_kept()
    {
        await using var tekton = await SecuredTekton.StartAsync(new Dictionary<string, string?> { ["Tekton:Audit:MaxEntries"] = "100" });
        using (var anonymous = tekton.ClientFor(null))
        {
            for (var i = 0; i < 150; i++)
            {
                (await anonymous.GetAsync($"/api/tekton/components?n={i}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            }
        }

        using var admin = tekton.ClientFor(SecuredTekton.AdminKey);
        JsonArray entries = [];
        (await Processes.EventuallyAsync(async () =>
        {
            entries = (await admin.GetFromJsonAsync<JsonObject>("/api/tekton/audit?limit=1000"))!["entries"]!.AsArray();
            // A read can fall between a batch's commit and its trim, so wait for the trim too.
            return entries.Count is > 0 and <= 110 && entries[0]!["id"]!.GetValue<long>() >= 150;
        })).Should().BeTrue("every refusal is written and older rows are deleted once a tenth of the limit has been added since the last trim");

        entries.Count.Should().BeGreaterThanOrEqualTo(100, "only rows beyond the limit are deleted");
        entries[^1]!["id"]!.GetValue<long>().Should().BeGreaterThan(entries[0]!["id"]!.GetValue<long>() - 110);
    }

    private static JsonNode? Entry(JsonArray entries, string action, string outcome) =>
        entries.FirstOrDefault(e => e!["action"]!.GetValue<string>() == action && e["outcome"]!.GetValue<string>() == outcome);
}
