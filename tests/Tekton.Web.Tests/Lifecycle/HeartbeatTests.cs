using System.Net;

namespace Tekton.Web.Tests.Lifecycle;

public sealed class HeartbeatTests : IAsyncLifetime
{
    private TektonServer _server = null!;

    public async Task InitializeAsync() => _server = await TektonServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_heartbeat_sets_last_heartbeat_and_its_health_feeds_health_status()
    {
        var instance = await _server.RegisterAsync("engram", type: "memory");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var response = await _server.PostJsonAsync("/api/tekton/components/engram/heartbeat", $$$"""
            {"instance_uuid":"{{{instance}}}","status":"ready","metrics":{"cpu_percent":15.2,"memory_percent":12.5,"active_connections":5},
             "health":{"database":"healthy","api":"healthy","memory_usage":"low"}}
            """);
        var answer = await response.ReadObjectAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        answer["success"]!.GetValue<bool>().Should().BeTrue();
        answer["status"]!.GetValue<string>().Should().Be("ready");
        var status = await _server.GetObjectAsync("/api/tekton/components/engram/status");
        status.Select(p => p.Key).Should().BeEquivalentTo(["component_id", "status", "last_heartbeat", "uptime", "instance_uuid", "health_status"]);
        status["status"]!.GetValue<string>().Should().Be("ready");
        status["instance_uuid"]!.GetValue<Guid>().Should().Be(instance);
        var heartbeat = status["last_heartbeat"]!.GetValue<string>();
        heartbeat.Should().EndWith("Z");
        DateTimeOffset.Parse(heartbeat, System.Globalization.CultureInfo.InvariantCulture).Should().BeAfter(before);
        status["uptime"]!.GetValue<string>().Should().MatchRegex(@"^(\d+\.)?\d{2}:\d{2}:\d{2}$");
        var health = status["health_status"]!.AsObject();
        health["overall"]!.GetValue<string>().Should().Be("healthy");
        health["database"]!.GetValue<string>().Should().Be("healthy");
        health["memory_usage"]!.GetValue<string>().Should().Be("low");
    }

    [Theory]
    [InlineData("""{"metrics":{"nested":{"cpu":1}}}""")]
    [InlineData("""{"metrics":{"list":[1,2]}}""")]
    [InlineData("""{"metrics":[1]}""")]
    public async Task Metrics_that_are_not_a_flat_object_of_small_values_are_refused_with_1000(string body)
    {
        await _server.RegisterAsync("engram");

        using var response = await _server.PostJsonAsync("/api/tekton/components/engram/heartbeat", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem["detail"]!.GetValue<string>().Should().Contain("metrics");
    }

    [Theory]
    [InlineData("/api/tekton/components/engram/heartbeat")]
    [InlineData("/API/TEKTON/components/engram/heartbeat")]
    public async Task Metrics_whose_names_or_strings_are_not_valid_text_are_refused_with_1000(string path)
    {
        await _server.RegisterAsync("engram");
        byte[][] bodies =
        [
            [.. "{\"metrics\":{\""u8, 0xFF, .. "\":1}}"u8],
            [.. "{\"metrics\":{\"label\":\""u8, 0xC3, .. "\"}}"u8],
            """{"metrics":{"label":"\ud800"}}"""u8.ToArray(),
        ];

        foreach (var body in bodies)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await _server.Client.PostAsync(path, content);

            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
            problem["detail"]!.GetValue<string>().Should().Contain("metrics");
        }
    }

    [Fact]
    public async Task More_than_64_metrics_are_refused_with_1000()
    {
        await _server.RegisterAsync("engram");
        var metrics = string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"m{i}\":{i}"));

        using var response = await _server.PostJsonAsync("/api/tekton/components/engram/heartbeat", $"{{\"metrics\":{{{metrics}}}}}");

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
    }

    [Fact]
    public async Task A_heartbeat_without_instance_uuid_counts_for_the_current_instance()
    {
        await _server.RegisterAsync("hermes");
        var newest = await _server.RegisterAsync("hermes");

        using var response = await _server.PostJsonAsync("/api/tekton/components/hermes/heartbeat", "{}");
        var answer = await response.ReadObjectAsync();

        answer["instance_uuid"]!.GetValue<Guid>().Should().Be(newest);
        var list = await _server.GetObjectAsync("/api/tekton/components");
        list["components"]![0]!["last_heartbeat"].Should().NotBeNull();
    }

    [Fact]
    public async Task A_heartbeat_whose_status_the_table_forbids_is_1012_but_still_counts_as_alive()
    {
        var instance = await _server.RegisterAsync("ergon", type: "agent");
        await _server.PutJsonAsync($"/api/tekton/components/ergon/instances/{instance}/state", """{"state":"stopping"}""");

        using var response = await _server.PostJsonAsync("/api/tekton/components/ergon/heartbeat", """{"status":"degraded"}""");

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, 1012);
        var status = await _server.GetObjectAsync("/api/tekton/components/ergon/status");
        status["status"]!.GetValue<string>().Should().Be("stopping");
        status["last_heartbeat"].Should().NotBeNull();
    }

    [Fact]
    public async Task Details_have_the_reference_fields_and_instances_newest_first()
    {
        var first = await _server.RegisterAsync("engram", type: "memory", extra: """
            "capabilities":["memory_storage","vector_search"],"host":"localhost","port":8000,"health_check":"/api/health",
            "metadata":{"description":"Persistent memory system for Tekton","storage_type":"vector"}
            """);
        var second = await _server.RegisterAsync("engram", type: "memory", extra: """ "port":8001 """);
        await _server.PutJsonAsync($"/api/tekton/components/engram/instances/{second}/state", """{"state":"ready"}""");

        var details = await _server.GetObjectAsync("/api/tekton/components/engram");

        foreach (var field in new[]
        {
            "component_id", "component_name", "component_type", "version", "status", "host", "port", "capabilities", "dependencies",
            "health_check", "last_heartbeat", "startup_time", "uptime", "metadata", "instances",
        })
        {
            details.ContainsKey(field).Should().BeTrue(field);
        }

        details["status"]!.GetValue<string>().Should().Be("ready");
        details["port"]!.GetValue<int>().Should().Be(8001, "re-registering replaces the definition");
        details["metadata"]!.AsObject().Should().BeEmpty("the second registration sent no metadata");
        details["startup_time"]!.GetValue<string>().Should().EndWith("Z");
        details["uptime"]!.GetValue<string>().Should().MatchRegex(@"^\d{2}:\d{2}:\d{2}$");
        var instances = details["instances"]!.AsArray();
        instances.Select(i => i!["instance_uuid"]!.GetValue<Guid>()).Should().Equal(second, first);
        instances[0]!["status"]!.GetValue<string>().Should().Be("ready");
        instances[1]!["status"]!.GetValue<string>().Should().Be("registered");
        instances[0]!["created_at"]!.GetValue<string>().Should().EndWith("Z");
    }

    [Fact]
    public async Task Registering_with_a_known_instance_uuid_attaches_instead_of_adding_one()
    {
        var instance = await _server.RegisterAsync("rhetor", type: "llm");

        using var again = await _server.PostJsonAsync("/api/tekton/components", $$"""
            {"component_id":"rhetor","component_name":"Rhetor","component_type":"llm","version":"1.0.1","instance_uuid":"{{instance}}"}
            """);
        var answer = await again.ReadObjectAsync();

        again.StatusCode.Should().Be(HttpStatusCode.OK);
        answer["instance_uuid"]!.GetValue<Guid>().Should().Be(instance);
        var details = await _server.GetObjectAsync("/api/tekton/components/rhetor");
        details["instances"]!.AsArray().Should().ContainSingle();
        details["version"]!.GetValue<string>().Should().Be("1.0.1");
    }

    [Fact]
    public async Task Registering_with_another_components_instance_uuid_is_refused_and_changes_nothing()
    {
        var hermes = await _server.RegisterAsync("hermes");
        await _server.RegisterAsync("engram");

        using var refused = await _server.PostJsonAsync("/api/tekton/components", $$"""
            {"component_id":"engram","component_name":"Engram","component_type":"service","version":"2.0.0","instance_uuid":"{{hermes}}"}
            """);
        using var created = await _server.PostJsonAsync("/api/tekton/components", $$"""
            {"component_id":"sophia","component_name":"Sophia","component_type":"service","version":"1.0.0","instance_uuid":"{{hermes}}"}
            """);

        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002);
        problem["errors"]!["instance_uuid"]![0]!.GetValue<string>().Should().Contain("'hermes'");
        await created.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002);
        (await _server.GetObjectAsync("/api/tekton/components/engram"))["version"]!.GetValue<string>().Should().Be("1.0.0");
        using var sophia = await _server.Client.GetAsync("/api/tekton/components/sophia");
        sophia.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _server.GetObjectAsync("/api/tekton/components/hermes"))["instances"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Deregistering_removes_the_component_and_its_dependents_see_it_missing()
    {
        await _server.RegisterAsync("hermes");
        await _server.RegisterAsync("engram", ["hermes"]);

        using var response = await _server.Client.DeleteAsync("/api/tekton/components/hermes");
        var answer = await response.ReadObjectAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        answer["success"]!.GetValue<bool>().Should().BeTrue();
        answer["message"]!.GetValue<string>().Should().Be("Component deregistered successfully");
        using var gone = await _server.Client.GetAsync("/api/tekton/components/hermes");
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var graph = await _server.GetObjectAsync("/api/tekton/dependencies");
        graph["missing_dependencies"]!["engram"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("hermes");
    }

    [Fact]
    public async Task Version_reports_build_stamps_and_api_v1()
    {
        var version = await _server.GetObjectAsync("/api/tekton/version");

        version.Select(p => p.Key).Should().BeEquivalentTo(["version", "build_date", "git_commit", "api_version"]);
        version["version"]!.GetValue<string>().Should().MatchRegex(@"^\d+\.\d+\.\d+");
        version["build_date"]!.GetValue<string>().Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}$");
        version["git_commit"]!.GetValue<string>().Should().MatchRegex("^([0-9a-f]{40}|unknown)$");
        version["api_version"]!.GetValue<string>().Should().Be("v1");
    }

    [Fact]
    public async Task Health_probes_answer_live_and_ready_with_the_database_check()
    {
        var live = await _server.GetObjectAsync("/health/live");
        var ready = await _server.GetObjectAsync("/health/ready");

        live["status"]!.GetValue<string>().Should().Be("healthy");
        ready["status"]!.GetValue<string>().Should().Be("healthy");
        ready["checks"]!["database"]!.GetValue<string>().Should().Be("healthy");
    }
}
