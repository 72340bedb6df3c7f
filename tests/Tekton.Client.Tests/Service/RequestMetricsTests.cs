using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Tekton.Client.Tests.Service;

/// <summary>
/// With auth off, heartbeats and lookups are answered ahead of the request-metrics middleware and count themselves.
/// Prometheus series are process-wide, so the counts are read from a Tekton process of this test's own.
/// </summary>
public sealed partial class RequestMetricsTests
{
    private const string Labels = """controller="",action="",endpoint="/api/tekton/components/{component_id}""";

    [Fact]
    public async Task Heartbeats_and_lookups_answered_ahead_of_the_pipeline_are_counted_once_each()
    {
        await using var server = await TektonServerProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using (var registered = await http.PostAsync("/api/tekton/components", Json("""{"component_id":"engram","component_name":"Engram","component_type":"memory","version":"1.0.0"}""")))
        {
            registered.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        for (var i = 0; i < 5; i++)
        {
            using var beat = await http.PostAsync("/api/tekton/components/engram/heartbeat", Json("""{"metrics":{"cpu_percent":1}}"""));
            beat.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        for (var i = 0; i < 3; i++)
        {
            using var details = await http.GetAsync("/api/tekton/components/engram");
            details.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // Taken by the hot path and refused by the handler (registered cannot go to stopped): counted once, as a 409.
        using (var refused = await http.PostAsync("/api/tekton/components/engram/heartbeat", Json("""{"status":"stopped"}""")))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        }

        var metrics = await http.GetStringAsync("/metrics");

        Value(metrics, $$"""http_requests_received_total{code="200",method="POST",{{Labels}}/heartbeat"}""").Should().Be(5);
        Value(metrics, $$"""http_request_duration_seconds_count{code="200",method="POST",{{Labels}}/heartbeat"}""").Should().Be(5);
        Value(metrics, $$"""http_requests_received_total{code="200",method="GET",{{Labels}}"}""").Should().Be(3);
        Series(metrics, """http_requests_received_total{code="409",method="POST",""").Should().Equal(1);
        Value(metrics, "http_requests_in_progress").Should().Be(0, "every request counted in was counted out (a /metrics request is not counted)");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static double Value(string metrics, string series) =>
        metrics.Split('\n').Where(line => line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture))
            .Should().ContainSingle($"/metrics has the series {series}").Subject;

    private static List<double> Series(string metrics, string prefix) =>
        [.. metrics.Split('\n').Where(line => line.StartsWith(prefix, StringComparison.Ordinal))
            .Select(line => double.Parse(ValueText().Match(line).Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"\} (\S+)$")]
    private static partial Regex ValueText();
}
