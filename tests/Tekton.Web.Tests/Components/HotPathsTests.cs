using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tekton.Application.Events;
using Tekton.Web.Endpoints;
using Tekton.Web.Events;

namespace Tekton.Web.Tests.Components;

/// <summary>
/// With auth off, heartbeats, a component's details and registrations are answered ahead of the pipeline (<see cref="HotPaths"/>).
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
        // Metrics at and past each bound, in escapes, with spaces and outside ASCII: the events carry the same text.
        $$$"""{"metrics":{"{{{new string('n', 64)}}}":"{{{new string('x', 256)}}}","{{{new string('é', 64)}}}":"{{{new string('é', 256)}}}"}}""",
        $$$"""{"metrics":{"{{{new string('n', 65)}}}":1}}""",
        """{"metrics":{"":1}}""",
        $$$"""{"metrics":{"s":"{{{new string('x', 257)}}}"}}""",
        $$$"""{"metrics":{"s":"{{{new string('é', 257)}}}"}}""",
        $$$"""{"metrics":{"s":"{{{string.Concat(Enumerable.Repeat(@"\u00e9", 256))}}}"}}""",
        $$$"""{"metrics":{"s":"{{{string.Concat(Enumerable.Repeat(@"\u00e9", 257))}}}"}}""",
        $$$"""{"metrics":{{{{string.Join(",", Enumerable.Range(0, 64).Select(i => $"\"m{i}\":{i}"))}}}}}""",
        $$$"""{"metrics":{{{{string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"m{i}\":{i}"))}}}}}""",
        """{"metrics":{"cpu\u005fpercent":1,"a\"b":"\n"}}""",
        """{"metrics":{"lone":"\ud800"}}""",
        """{"metrics": { "cpu" : 1 ,"label":"a b"}, "status":"ready"}""",
        """{"metrics":{}}""",
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
        var bus = _server.Services.GetRequiredService<EventBus>();
        var events = new EventSubscriber(EventSubscriber.WebSocket, 64);
        bus.Attach(events);
        bus.Subscribe(events, new HeartbeatFilter(HeartbeatFilter.All), since: null);

        var (hotStatus, hotAnswer) = await PostAsync("/api/tekton/components/hot/heartbeat", body);
        var (routedStatus, routedAnswer) = await PostAsync("/API/TEKTON/components/routed/heartbeat", body);
        bus.Detach(events);

        hotStatus.Should().Be(routedStatus);
        Normalize(hotAnswer, hot, "hot").Should().Be(Normalize(routedAnswer, routed, "routed"));
        var heartbeats = new List<HeartbeatEvent>();
        while (events.Reader.TryRead(out var delivery))
        {
            heartbeats.Add((HeartbeatEvent)delivery.Event!);
        }

        heartbeats.Select(e => e.ComponentId).Should().Equal(hotStatus == HttpStatusCode.OK ? ["hot", "routed"] : []);
        heartbeats.Select(e => Encoding.UTF8.GetString(EventJson.Encode(e)).Replace("routed", "hot", StringComparison.Ordinal))
            .Select(e => System.Text.RegularExpressions.Regex.Replace(e, "\"(instance_uuid|timestamp|sequence)\":(\"[^\"]*\"|\\d+)", "_"))
            .Distinct().Should().HaveCountLessThanOrEqualTo(1, "both ways send the same event");
        var hotDetails = await _server.GetObjectAsync("/api/tekton/components/hot");
        var routedDetails = await _server.GetObjectAsync("/api/tekton/components/routed");
        hotDetails["status"]!.GetValue<string>().Should().Be(routedDetails["status"]!.GetValue<string>());
        (hotDetails["last_heartbeat"] is null).Should().Be(routedDetails["last_heartbeat"] is null);
    }

    public static TheoryData<string> RegistrationBodies() =>
    [
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","metadata":{"x":"\\u00e9"}}""",
        """
        {"component_id":"{ID}","component_name":"Engram \u00e9 \"quoted\"","component_type":"memory","version":"1.2.3-beta.1+build.5",
         "capabilities":["store","recall"],"dependencies":["{ID}-missing","{ID}-gone"],"host":"127.0.0.1","port":8001,"health_check":"/health",
         "metadata":{"region":"eu","nested":{"a":[1,2,{"b":null}]}},"heartbeat_interval":2.5,"heartbeat_timeout":10,
         "launch":{"command":"/bin/true","args":["x"],"env":{"A":"b"},"restart":"no"},"requirements":{"min_memory_gb":0.5},"autostart":false}
        """,
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","instance_uuid":"{UUID}"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","metadata":null,"port":null,"dependencies":[]}""",
        """  {"version":"1.0.0","component_type":"memory","component_name":"Engram","component_id":"{ID}"}  """,
        // The hot path reads string lists itself (StringListReader): escapes, null lists and empty ones as the endpoint reads them.
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","capabilities":["st\u006fre", "recall"],"dependencies":null}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","capabilities":[ ],"dependencies":["{ID}-a"]}""",
        // Refused by the endpoint: the hot path must pass each on and let it answer.
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","dependencies":[1]}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","dependencies":["{ID}-a",["{ID}-b"]]}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","dependencies":"{ID}-a"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","dependencies":["{ID}-a","{ID}-a"]}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","capabilities":["store",null]}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","capabilities":["store",{"a":1}]}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory"}""",
        """{"component_id":"-{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"Memory","version":"1.0.0"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","dependencies":["{ID}"]}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","metadata":[1]}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","port":0}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","heartbeat_interval":20,"heartbeat_timeout":10}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","instance_uuid":"00000000-0000-0000-0000-000000000000"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","launch":{"restart":"no"}}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","port":"80"}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0","unknown":1}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0",}""",
        """{"component_id":"{ID}","component_name":"Engram","component_type":"memory","version":"1.0.0"} trailing""",
        """{"component_id":"{ID}","component_name":"Engram""",
        """[1,2]""",
        """null""",
    ];

    [Theory]
    [MemberData(nameof(RegistrationBodies))]
    public async Task A_registration_is_answered_as_the_endpoint_answers_it(string body)
    {
        var hot = await RegisterBothWaysAsync("/api/tekton/components", body, "hot-1");
        var routed = await RegisterBothWaysAsync("/API/TEKTON/COMPONENTS", body, "rtd-1");

        hot.Should().Be(routed);
        using var hotDetails = await _server.Client.GetAsync("/api/tekton/components/hot-1");
        using var routedDetails = await _server.Client.GetAsync("/api/tekton/components/rtd-1");
        hotDetails.StatusCode.Should().Be(routedDetails.StatusCode);
        if (hotDetails.IsSuccessStatusCode)
        {
            Timeless(Normalize(await hotDetails.Content.ReadAsStringAsync(), "hot-1"))
                .Should().Be(Timeless(Normalize(await routedDetails.Content.ReadAsStringAsync(), "rtd-1")));
        }
    }

    [Fact]
    public async Task Registrations_that_change_the_registry_are_answered_as_the_endpoint_answers_them()
    {
        // Ids of the same length both ways: a JSON error's position in the body is in the answer. Each step both ways, in turn: new (201), again (200), a dependent, a cycle's warning, another type (409),
        // another component's instance (400), a body larger than the hot path reads.
        var steps = new[]
        {
            """{"component_id":"{ID}","component_name":"A","component_type":"service","version":"1.0.0"}""",
            """{"component_id":"{ID}","component_name":"A again","component_type":"service","version":"1.0.1"}""",
            """{"component_id":"{ID}-b","component_name":"B","component_type":"service","version":"1.0.0","dependencies":["{ID}"]}""",
            """{"component_id":"{ID}","component_name":"A","component_type":"service","version":"1.0.0","dependencies":["{ID}-b"]}""",
            """{"component_id":"{ID}","component_name":"A","component_type":"memory","version":"1.0.0"}""",
            """{"component_id":"{ID}-c","component_name":"C","component_type":"service","version":"1.0.0","instance_uuid":"{B_INSTANCE}"}""",
            // Bodies that come in several reads: one the hot path takes (metadata just under its 32 KiB), one it leaves.
            $$$"""{"component_id":"{ID}-e","component_name":"E","component_type":"service","version":"1.0.0","metadata":{"pad":"{{{new string('x', 32_000)}}}"}}""",
            $$$"""{"component_id":"{ID}-d","component_name":"D","component_type":"service","version":"1.0.0","metadata":{"pad":"{{{new string('x', HotPaths.MaxRegistrationBytes)}}}"}}""",
        };

        foreach (var step in steps)
        {
            var hot = await RegisterBothWaysAsync("/api/tekton/components", step, "hot-1");
            var routed = await RegisterBothWaysAsync("/API/TEKTON/COMPONENTS", step, "rtd-1");
            hot.Should().Be(routed, step.Length > 200 ? $"the body of {step.Length} bytes" : step);
        }

        var details = await _server.GetObjectAsync("/api/tekton/components/hot-1");
        details["version"]!.GetValue<string>().Should().Be("1.0.0");
        details["instances"]!.AsArray().Should().HaveCount(3);
        (await _server.GetObjectAsync("/api/tekton/components/hot-1-e"))["metadata"]!["pad"]!.GetValue<string>().Should().HaveLength(32_000);
    }

    [Fact]
    public async Task A_registration_the_hot_path_takes_never_reaches_the_pipeline_and_one_it_refuses_gets_its_body_again()
    {
        var reached = 0;
        string? replayed = null;
        var hotPaths = ActivatorUtilities.CreateInstance<HotPaths>(_server.Services, (RequestDelegate)(async context =>
        {
            reached++;
            replayed = await new StreamReader(context.Request.Body).ReadToEndAsync();
        }));

        // A stream's body reader has nothing buffered before its first read: these go the way of a body that did
        // not come with the headers.
        var taken = NewRegistration("""{"component_id":"direct","component_name":"Direct","component_type":"service","version":"1.0.0"}""");
        await hotPaths.InvokeAsync(taken);
        await taken.Response.BodyWriter.FlushAsync();

        reached.Should().Be(0);
        taken.Response.StatusCode.Should().Be(StatusCodes.Status201Created);
        taken.Response.Headers.Location.ToString().Should().Be("/api/tekton/components/direct");
        taken.Response.ContentLength.Should().Be(taken.Response.Body.Length);
        var answer = JsonNode.Parse(((MemoryStream)taken.Response.Body).ToArray())!;
        answer["success"]!.GetValue<bool>().Should().BeTrue();
        var details = await _server.GetObjectAsync("/api/tekton/components/direct");
        details["instances"]![0]!["instance_uuid"]!.GetValue<Guid>().Should().Be(answer["instance_uuid"]!.GetValue<Guid>());

        const string refused = """{"component_id":"direct","component_name":"Direct","component_type":"service"}""";
        await hotPaths.InvokeAsync(NewRegistration(refused));
        reached.Should().Be(1);
        replayed.Should().Be(refused);

        var keyed = NewRegistration("""{"component_id":"keyed","component_name":"Keyed","component_type":"service","version":"1.0.0"}""");
        keyed.Request.Headers["Idempotency-Key"] = "retry-1";
        await hotPaths.InvokeAsync(keyed);
        reached.Should().Be(2, "the endpoint keeps the replays of keyed registrations");
    }

    private static DefaultHttpContext NewRegistration(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/api/tekton/components";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>POSTs the body with its placeholders filled for <paramref name="id"/>; the status, location and answer with the id's own values made alike.</summary>
    private async Task<string> RegisterBothWaysAsync(string path, string body, string id)
    {
        var instances = new Dictionary<string, string>();
        if (body.Contains("{B_INSTANCE}", StringComparison.Ordinal))
        {
            var b = await _server.GetObjectAsync($"/api/tekton/components/{id}-b");
            instances["{B_INSTANCE}"] = b["instances"]![0]!["instance_uuid"]!.GetValue<string>();
        }

        var json = body.Replace("{ID}", id, StringComparison.Ordinal).Replace("{UUID}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        foreach (var (placeholder, value) in instances)
        {
            json = json.Replace(placeholder, value, StringComparison.Ordinal);
        }

        using var response = await _server.PostJsonAsync(path, json);
        var answer = await response.Content.ReadAsStringAsync();
        var uuid = JsonNode.Parse(answer) is JsonObject { } parsed && parsed["instance_uuid"] is { } given ? given.GetValue<string>() : null;
        var location = response.Headers.Location?.ToString();
        var same = $"{(int)response.StatusCode} {response.Content.Headers.ContentType} {location} {answer}";
        same = uuid is null ? same : same.Replace(uuid, "INSTANCE", StringComparison.Ordinal);
        foreach (var (_, value) in instances)
        {
            same = same.Replace(value, "B_INSTANCE", StringComparison.Ordinal);
        }

        return Normalize(same, id);
    }

    /// <summary>The details without what differs between two registrations of the same body: instance uuids, times.</summary>
    private static string Timeless(string details) =>
        System.Text.RegularExpressions.Regex.Replace(details, "\"[0-9a-f]{8}-[0-9a-f-]{27}\"|\"\\d{4}-\\d{2}-\\d{2}T[^\"]*\"|\"\\d{2}:\\d{2}:\\d{2}\"", "_");

    private static string Normalize(string answer, string id) =>
        System.Text.RegularExpressions.Regex.Replace(answer, "\"trace_id\":\"[^\"]*\"", "\"trace_id\":_")
            .Replace(id, "ID", StringComparison.Ordinal);

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

        metrics.Should().Contain("""method="POST",controller="",action="",endpoint="/api/tekton/components/"}""");
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
    [InlineData("""{"status":"ready","metrics": {"a" :1 } ,"health":{"db":"ok"},"instance_uuid":"6f1f6a52-0000-4000-8000-000000000000"}""", true)]
    [InlineData("{}", true)]
    [InlineData("""{"status":"Ready"}""", false)]
    [InlineData("""{"metrics":{"a":{"b":1}}}""", false)]
    [InlineData("""{"health":{"db":"ok","db":"bad"}}""", false)]
    [InlineData("""{"instance_uuid":"{6f1f6a52-0000-4000-8000-000000000000}"}""", false)]
    [InlineData("""{"status":"ready"}{}""", false)]
    [InlineData("""{"st\u0061tus":"ready"}""", false)]
    public void The_heartbeat_parser_takes_only_what_it_reads_exactly_as_the_endpoint(string body, bool taken)
    {
        var parsed = HotPaths.TryParseHeartbeat(Encoding.UTF8.GetBytes(body), out var heartbeat, out var metrics);

        parsed.Should().Be(taken);
        if (taken && body.Contains("status"))
        {
            heartbeat.Status.Should().Be("ready");
            metrics!.ToString().Should().Be(body[body.IndexOf('{', 1)..(body.IndexOf('}') + 1)], "the metrics are kept as they were sent");
            metrics.ToElement().GetProperty("a").GetInt32().Should().Be(1);
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
