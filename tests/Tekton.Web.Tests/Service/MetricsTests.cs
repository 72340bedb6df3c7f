using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Service;

/// <summary>
/// /metrics in Prometheus text. Runs against its own server process: the Prometheus registry is global to a
/// process, and other tests host servers in this one.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_expose_request_counts_latency_and_components_by_status()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-metrics-").FullName;
        try
        {
            await using var tekton = await TektonProcess.StartAsync(Path.Combine(directory, "tekton.db"));
            using var client = new HttpClient { BaseAddress = tekton.BaseAddress };
            var instance = await RegisterAsync(client, "hermes");
            using var ready = await client.PutAsync($"/api/tekton/components/hermes/instances/{instance}/state", Json("""{"state":"ready"}"""));
            await RegisterAsync(client, "engram");
            await RegisterAsync(client, "rhetor");

            using (var odd = new HttpRequestMessage(new HttpMethod("BREW"), "/api/tekton/version"))
            using (await client.SendAsync(odd))
            {
            }

            var metrics = await client.GetStringAsync("/metrics");

            metrics.Should().Contain("http_requests_received_total");
            metrics.Should().Contain("http_request_duration_seconds_bucket");
            metrics.Should().Contain("""http_requests_received_total{code="201",method="POST",controller="",action="",endpoint="/api/tekton/components/"} 3""");
            metrics.Should().Contain("""http_request_duration_seconds_count{code="200",method="PUT",controller="",action="",endpoint="/api/tekton/components/{component_id}/instances/{instance_uuid}/state"} 1""");
            metrics.Should().Contain("""http_requests_received_total{code="405",method="OTHER",controller="",action="",endpoint=""} 1""",
                "a method outside the standard ones is counted as OTHER, so clients cannot add series without bound");
            metrics.Should().NotContain("http_server_request_duration", "ASP.NET Core's per-request meters are not exported (MeterExport)");
            metrics.Should().Contain("dotnet_", "the runtime's meter is exported");
            metrics.Should().MatchRegex("""tekton_components\{[^}]*status="ready"[^}]*\} 1\b""");
            metrics.Should().MatchRegex("""tekton_components\{[^}]*status="registered"[^}]*\} 2\b""");
            metrics.Should().MatchRegex("""tekton_components\{[^}]*status="failed"[^}]*\} 0\b""");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Guid> RegisterAsync(HttpClient client, string id)
    {
        using var response = await client.PostAsync("/api/tekton/components",
            Json($$"""{"component_id":"{{id}}","component_name":"{{id}}","component_type":"service","version":"1.0.0"}"""));
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["instance_uuid"]!.GetValue<Guid>();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
