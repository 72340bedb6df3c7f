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

            var metrics = await client.GetStringAsync("/metrics");

            metrics.Should().Contain("http_requests_received_total");
            metrics.Should().Contain("http_request_duration_seconds_bucket");
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
