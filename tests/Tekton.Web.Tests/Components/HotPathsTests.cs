using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Tekton.Web.Endpoints;

namespace Tekton.Web.Tests.Components;

/// <summary>
/// With auth off, heartbeats and a component's details are answered ahead of the pipeline (<see cref="HotPaths"/>).
/// Routing matches paths without regard to case and the hot paths do not, so the same request with the path in
/// capitals takes the endpoint's way: every answer must be the same both ways.
/// </summary>
public sealed class HotPathsTests : IAsyncLifetime
{
    private TektonServer _server = null!;

    public async Task InitializeAsync() => _server = await TektonServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string> HeartbeatBodies() =>
    [
        "{}",
        """{"status":"ready","metrics":{"cpu_percent":12.5,"memory_percent":40.1,"active_connections":3}}""",
        """{"status":"degraded","health":{"database":"slow"},"metrics":{"label":"x","flag":true,"none":null}}""",
        """{"status":null,"metrics":null,"health":null,"instance_uuid":null}""",
        """  {"status":"ready"}  """,
        // Refused by the endpoint: the hot path must pass each on and let it answer.
        """{"status":"sleeping"}""",
        """{"status":"ready","unknown":1}""",
        """{"Status":"ready"}""",
        """{"status":"ready","status":"failed"}""",
        """{"metrics":{"nested":{"cpu":1}}}""",
        """{"metrics":[1]}""",
        """{"health":{"db":null}}""",
        """{"health":{"db":1}}""",
        """{"instance_uuid":"not-a-uuid"}""",
        """{"instance_uuid":"6f1f6a52-0000-4000-8000-000000000000"}""",
        """{"status":"ready"} trailing""",
        """{"status":"ready",}""",
        """{"status":"re\u0061dy"}""",
        """[1,2]""",
        """null""",
        "{\"status\":\"ready\\\"",
        // Taken by the hot path, refused by the handler (registered cannot go to stopped): the exception handler's 409.
        """{"status":"stopped"}""",
    ];

    [Theory]
    [MemberData(nameof(HeartbeatBodies))]
    public async Task A_heartbeat_is_answered_as_the_endpoint_answers_it(string body)
    {
        var hot = await _server.RegisterAsync("hot");
        var routed = await _server.RegisterAsync("routed");

        var (hotStatus, hotAnswer) = await PostAsync("/api/tekton/components/hot/heartbeat", body);
        var (routedStatus, routedAnswer) = await PostAsync("/API/TEKTON/components/routed/heartbeat", body);

        hotStatus.Should().Be(routedStatus);
        Normalize(hotAnswer, hot, "hot").Should().Be(Normalize(routedAnswer, routed, "routed"));
        var hotDetails = await _server.GetObjectAsync("/api/tekton/components/hot");
        var routedDetails = await _server.GetObjectAsync("/api/tekton/components/routed");
        hotDetails["status"]!.GetValue<string>().Should().Be(routedDetails["status"]!.GetValue<string>());
        (hotDetails["last_heartbeat"] is null).Should().Be(routedDetails["last_heartbeat"] is null);
    }

    [Fact]
    public async Task A_heartbeat_for_an_unknown_component_or_instance_gets_the_endpoints_404()
    {
        await _server.RegisterAsync("known");

        var (status, answer) = await PostAsync("/api/tekton/components/missing/heartbeat", "{}");
        var (instanceStatus, _) = await PostAsync("/api/tekton/components/known/heartbeat", $$"""{"instance_uuid":"{{Guid.NewGuid()}}"}""");

        status.Should().Be(HttpStatusCode.NotFound);
        JsonNode.Parse(answer)!["code"]!.GetValue<int>().Should().Be(1001);
        instanceStatus.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_heartbeat_that_is_not_plain_json_of_a_known_length_takes_the_endpoints_way()
    {
        await _server.RegisterAsync("engram");

        using var text = await _server.Client.PostAsync(
            "/api/tekton/components/engram/heartbeat", new StringContent("{}", Encoding.UTF8, "text/plain"));
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/tekton/components/engram/heartbeat")
        {
            Content = new StreamContent(new NonSeekableStream("""{"status":"ready"}"""u8.ToArray())),
        };
        chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var chunkedAnswer = await _server.Client.SendAsync(chunked);

        text.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        chunkedAnswer.StatusCode.Should().Be(HttpStatusCode.OK, await chunkedAnswer.Content.ReadAsStringAsync());
        (await _server.GetObjectAsync("/api/tekton/components/engram"))["status"]!.GetValue<string>().Should().Be("ready");
    }

    [Fact]
    public async Task A_components_details_are_the_endpoints_and_follow_every_change()
    {
        // Metadata with the names of the time-dependent fields, a launch spec, several instances.
        const string extra = """
            "metadata":{"last_heartbeat":"not this one","uptime":{"last_heartbeat":1},"instances":[{"last_heartbeat":2}]},
            "launch":{"command":"/bin/true","args":["last_heartbeat"],"env":{"last_heartbeat":"x"},"restart":"no"}
            """;
        var first = await _server.RegisterAsync("engram", extra: extra);
        await AssertSameDetailsAsync("engram");

        var second = await _server.RegisterAsync("engram", extra: extra);
        (await PostAsync("/api/tekton/components/engram/heartbeat", $$"""{"instance_uuid":"{{first}}"}""")).Status.Should().Be(HttpStatusCode.OK);
        await AssertSameDetailsAsync("engram");

        (await PostAsync("/api/tekton/components/engram/heartbeat", $$"""{"instance_uuid":"{{second}}","status":"ready"}""")).Status.Should().Be(HttpStatusCode.OK);
        var details = await AssertSameDetailsAsync("engram");
        details["status"]!.GetValue<string>().Should().Be("ready");
        details["instances"]!.AsArray().Should().HaveCount(2);
        details["last_heartbeat"].Should().NotBeNull();
        details["uptime"]!.GetValue<string>().Should().MatchRegex(@"^\d{2}:\d{2}:\d{2}$");
        details["metadata"]!["uptime"]!["last_heartbeat"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task An_unknown_components_details_get_the_endpoints_404()
    {
        using var response = await _server.Client.GetAsync("/api/tekton/components/missing");

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
    }

    [Fact]
    public async Task Requests_answered_ahead_of_the_pipeline_count_under_their_routes()
    {
        await _server.RegisterAsync("engram");
        (await PostAsync("/api/tekton/components/engram/heartbeat", "{}")).Status.Should().Be(HttpStatusCode.OK);
        await _server.GetObjectAsync("/api/tekton/components/engram");

        var metrics = await _server.Client.GetStringAsync("/metrics");

        metrics.Should().Contain("""method="POST",controller="",action="",endpoint="/api/tekton/components/{component_id}/heartbeat"}""");
        metrics.Should().Contain("""method="GET",controller="",action="",endpoint="/api/tekton/components/{component_id}"}""");
        // Counted at scrape time, not by a tagged Add per event. /metrics shows the series, but its value comes from
        // prometheus-net's one adapter per process, which every host of this test process feeds: this host's count is
        // read from its own meter.
        metrics.Should().Contain("""tekton_events_published{channel="heartbeat"}""");
        PublishedHeartbeats().Should().Be(1, "one heartbeat was posted to this host");
    }

    private long PublishedHeartbeats()
    {
        var meters = _server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        long heartbeats = -1;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument is { Name: "events.published", Meter.Name: "Tekton" } && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "channel", Value: "heartbeat" })
                {
                    heartbeats = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return heartbeats;
    }

    [Theory]
    [InlineData("""{"status":"ready","metrics":{"a":1},"health":{"db":"ok"},"instance_uuid":"6f1f6a52-0000-4000-8000-000000000000"}""", true)]
    [InlineData("{}", true)]
    [InlineData("""{"status":"Ready"}""", false)]
    [InlineData("""{"metrics":{"a":{"b":1}}}""", false)]
    [InlineData("""{"health":{"db":"ok","db":"bad"}}""", false)]
    [InlineData("""{"instance_uuid":"{6f1f6a52-0000-4000-8000-000000000000}"}""", false)]
    [InlineData("""{"status":"ready"}{}""", false)]
    [InlineData("""{"st\u0061tus":"ready"}""", false)]
    public void The_heartbeat_parser_takes_only_what_it_reads_exactly_as_the_endpoint(string body, bool taken)
    {
        var parsed = HotPaths.TryParseHeartbeat(Encoding.UTF8.GetBytes(body), out var heartbeat);

        parsed.Should().Be(taken);
        if (taken && body.Contains("status"))
        {
            heartbeat.Status.Should().Be("ready");
            heartbeat.Metrics!.Value.GetProperty("a").GetInt32().Should().Be(1);
            heartbeat.Health!["db"].Should().Be("ok");
            heartbeat.InstanceUuid.Should().Be(Guid.Parse("6f1f6a52-0000-4000-8000-000000000000"));
        }
    }

    private async Task<JsonObject> AssertSameDetailsAsync(string id)
    {
        using var hot = await _server.Client.GetAsync($"/api/tekton/components/{id}");
        using var routed = await _server.Client.GetAsync($"/API/TEKTON/COMPONENTS/{id}");
        var hotText = await hot.Content.ReadAsStringAsync();
        var routedText = await routed.Content.ReadAsStringAsync();

        hot.StatusCode.Should().Be(HttpStatusCode.OK);
        routed.StatusCode.Should().Be(HttpStatusCode.OK);
        hot.Content.Headers.ContentType!.ToString().Should().Be(routed.Content.Headers.ContentType!.ToString());
        hot.Content.Headers.ContentLength.Should().Be(Encoding.UTF8.GetByteCount(hotText));
        // Uptime may tick over between the two requests; everything else is the same bytes.
        WithoutUptime(hotText).Should().Be(WithoutUptime(routedText));
        return JsonNode.Parse(hotText)!.AsObject();
    }

    private static string WithoutUptime(string json) =>
        System.Text.RegularExpressions.Regex.Replace(json, "\"uptime\":(null|\"[^\"]*\")", "\"uptime\":_");

    private async Task<(HttpStatusCode Status, string Answer)> PostAsync(string path, string body)
    {
        using var response = await _server.PostJsonAsync(path, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Normalize(string answer, Guid instance, string id) =>
        System.Text.RegularExpressions.Regex.Replace(answer, "\"trace_id\":\"[^\"]*\"", "\"trace_id\":_")
            .Replace(instance.ToString(), "INSTANCE", StringComparison.Ordinal)
            .Replace($"'{id}'", "'ID'", StringComparison.Ordinal);

    /// <summary>A body sent without Content-Length (chunked).</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
