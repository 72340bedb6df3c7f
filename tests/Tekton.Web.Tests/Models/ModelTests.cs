using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Tekton.Application.Models;

namespace Tekton.Web.Tests.Models;

/// <summary>The catalog's four sources and routing over HTTP (design §9).</summary>
public sealed class ModelTests : IAsyncLifetime
{
    private readonly string _marker = $"tekton-test-{Guid.NewGuid():N}";
    private FakeOllama _ollama = null!;
    private TektonServer _server = null!;

    public async Task InitializeAsync()
    {
        _ollama = await FakeOllama.StartAsync();
        _server = await TektonServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tekton:Ollama:Url"] = _ollama.Url.ToString(),
            ["Tekton:Ollama:PollIntervalSeconds"] = "1",
            ["Tekton:Supervision:StopProcessesOnShutdown"] = "true",
            ["Tekton:Models:0:Id"] = "claude-3-sonnet-20240229",
            ["Tekton:Models:0:Provider"] = "anthropic",
            ["Tekton:Models:0:Capabilities:0"] = "text_generation",
            ["Tekton:Models:0:Capabilities:1"] = "summarization",
            ["Tekton:Models:0:Tier"] = "3",
            ["Tekton:Models:0:ContextWindow"] = "200000",
            ["Tekton:Models:1:Id"] = "gpt-4-turbo",
            ["Tekton:Models:1:Provider"] = "openai",
            ["Tekton:Models:1:Capabilities:0"] = "text_generation",
            ["Tekton:Models:1:Capabilities:1"] = "code_generation",
            ["Tekton:Models:1:Tier"] = "3",
            ["Tekton:Models:1:ContextWindow"] = "128000",
            ["Tekton:Models:1:CostPer1kTokens"] = "0.01",
            ["Tekton:Providers:openai:ApiKey"] = "sk-test",
            ["Tekton:Capabilities:summarization"] = "Shorten long documents",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _ollama.DisposeAsync();
        Processes.KillAll(_marker);
    }

    [Fact]
    public async Task The_catalog_merges_configuration_and_ollama_with_cloud_models_available_only_with_a_key()
    {
        var models = await ModelsAsync();

        models.Keys.Should().BeEquivalentTo(["claude-3-sonnet-20240229", "gpt-4-turbo", "llama3", "codellama:70b", "nomic-embed-text"]);
        models["gpt-4-turbo"]["status"]!.GetValue<string>().Should().Be("available", "openai has a key");
        models["gpt-4-turbo"]["cost_per_1k_tokens"]!.GetValue<double>().Should().Be(0.01);
        models["claude-3-sonnet-20240229"]["status"]!.GetValue<string>().Should().Be("unavailable", "anthropic has no key here");
        models["claude-3-sonnet-20240229"]["source"]!.GetValue<string>().Should().Be("configuration");

        var llama = models["llama3"];
        llama["provider"]!.GetValue<string>().Should().Be("ollama");
        llama["tier"]!.GetValue<int>().Should().Be(2, "8 B parameters");
        llama["status"]!.GetValue<string>().Should().Be("available");
        llama["endpoint"]!.GetValue<string>().Should().Be(new Uri(_ollama.Url, "api/generate").ToString());
        models["codellama:70b"]["tier"]!.GetValue<int>().Should().Be(3);
        models["codellama:70b"]["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Contain("code_generation");
        models["nomic-embed-text"]["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("text_embedding");

        var filtered = await _server.GetObjectAsync("/api/tekton/models?capability=code_generation&status=available");
        filtered["models"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).Should().Equal("codellama:70b", "gpt-4-turbo");
        (await _server.GetObjectAsync("/api/tekton/models?provider=anthropic"))["models"]!.AsArray().Should().ContainSingle();
        using var bad = await _server.Client.GetAsync("/api/tekton/models?status=sleeping");
        await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
    }

    [Fact]
    public async Task When_ollama_goes_away_its_models_become_unavailable_and_routing_moves_on()
    {
        await ModelsAsync();
        var before = await RouteAsync("""{"task_type": "text_generation", "complexity": "medium"}""");
        before["selected_model"]!.GetValue<string>().Should().Be("llama3");

        await _ollama.DisposeAsync();
        (await Processes.EventuallyAsync(async () => (await ModelsAsync())["llama3"]["status"]!.GetValue<string>() == "unavailable", TimeSpan.FromSeconds(15)))
            .Should().BeTrue();

        var after = await RouteAsync("""{"task_type": "text_generation", "complexity": "medium"}""");
        after["selected_model"]!.GetValue<string>().Should().Be("gpt-4-turbo", "the only available text model left");
        (await ModelsAsync()).Should().ContainKey("codellama:70b", "models Ollama had are kept, unavailable");
    }

    [Fact]
    public async Task The_route_answer_has_the_reference_shape_and_fallbacks_only_when_asked()
    {
        await ModelsAsync();

        var answer = await RouteAsync("""
            {"task_type": "code_generation", "complexity": "high", "context_length": 5000,
             "requirements": {"capabilities": ["code_generation"], "min_tier": 2}, "fallback": true}
            """);

        answer.Select(p => p.Key).Should().Equal("selected_model", "provider", "endpoint", "selection_criteria", "fallback_models");
        answer["selected_model"]!.GetValue<string>().Should().Be("gpt-4-turbo", "both tier 3 code models pass; a known cost sorts before none");
        answer["provider"]!.GetValue<string>().Should().Be("openai");
        answer["selection_criteria"]!.ToJsonString().Should().Be("""{"complexity_match":true,"context_window_sufficient":true,"capability_match":true,"tier_match":true}""");
        answer["fallback_models"]!.AsArray().Select(f => f!.GetValue<string>()).Should().Equal("codellama:70b");

        var strict = await RouteAsync("""{"task_type": "code_generation", "complexity": "high", "fallback": false}""");
        strict["fallback_models"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task No_possible_model_is_1009_and_only_unavailable_ones_is_1010_with_retry_after()
    {
        await ModelsAsync();

        using (var none = await _server.PostJsonAsync("/api/tekton/route", """{"task_type": "vision"}"""))
        {
            var problem = await none.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1009);
            problem["ruled_out"]!.AsArray().Single(r => r!["constraint"]!.GetValue<string>() == "capabilities")!["models"]!.AsArray().Should().HaveCount(5);
        }

        using var waiting = await _server.PostJsonAsync("/api/tekton/route", """{"task_type": "summarization"}""");
        var unavailable = await waiting.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, 1010);
        waiting.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(30));
        unavailable["unavailable"]!.AsArray().Select(u => u!.GetValue<string>()).Should().Equal("claude-3-sonnet-20240229");
        unavailable["detail"]!.GetValue<string>().Should().Contain("claude-3-sonnet-20240229");
    }

    [Theory]
    [InlineData("""{"complexity": "low"}""", "task_type")]
    [InlineData("""{"task_type": "text_generation", "complexity": "extreme"}""", "complexity")]
    [InlineData("""{"task_type": "text_generation", "context_length": -1}""", "context_length")]
    [InlineData("""{"task_type": "text_generation", "requirements": {"min_tier": 4}}""", "requirements.min_tier")]
    [InlineData("""{"task_type": "text_generation", "requirements": {"capabilities": ["bad token!"]}}""", "requirements.capabilities")]
    [InlineData("""{"task_type": "text_generation", "temperature": 0.7}""", "temperature")]
    [InlineData("""{"task_type": "text_generation", "fallback": "yes"}""", "fallback")]
    public async Task A_bad_route_request_is_a_clear_1000(string body, string field)
    {
        using var response = await _server.PostJsonAsync("/api/tekton/route", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
    }

    [Fact]
    public async Task Models_added_through_the_api_are_stored_replaced_and_deleted()
    {
        using (var created = await _server.PostJsonAsync("/api/tekton/models", """
            {"id": "local/qwen2:7b", "provider": "vllm", "capabilities": ["text_generation", "reasoning"], "tier": 2, "context_window": 32768,
             "endpoint": "http://127.0.0.1:9000/v1", "priority": 1, "cost_per_1k_tokens": 0}
            """))
        {
            created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            created.Headers.Location!.ToString().Should().Be("/api/tekton/models/local%2Fqwen2%3A7b");
        }

        await _server.RestartAsync();
        var stored = await _server.GetObjectAsync("/api/tekton/models/local%2Fqwen2:7b");
        stored["source"]!.GetValue<string>().Should().Be("api");
        stored["priority"]!.GetValue<int>().Should().Be(1);
        (await RouteAsync("""{"task_type": "reasoning"}"""))["selected_model"]!.GetValue<string>().Should().Be("local/qwen2:7b");

        using (var replaced = await _server.PutJsonAsync("/api/tekton/models/local%2Fqwen2:7b",
            """{"provider": "vllm", "capabilities": ["reasoning"], "tier": 3, "context_window": 32768, "status": "unavailable"}"""))
        {
            replaced.StatusCode.Should().Be(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());
        }

        using (var waiting = await _server.PostJsonAsync("/api/tekton/route", """{"task_type": "reasoning"}"""))
        {
            await waiting.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, 1010);
        }

        using (var deleted = await _server.Client.DeleteAsync("/api/tekton/models/local%2Fqwen2:7b"))
        {
            deleted.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var gone = await _server.Client.GetAsync("/api/tekton/models/local%2Fqwen2:7b"))
        {
            await gone.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1000);
        }

        using var configured = await _server.Client.DeleteAsync("/api/tekton/models/gpt-4-turbo");
        (await configured.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000))["detail"]!.GetValue<string>().Should().Contain("Tekton:Models");
    }

    [Theory]
    [InlineData("""{"provider": "p", "capabilities": ["t"], "tier": 2, "context_window": 1}""", "id")]
    [InlineData("""{"id": "m", "provider": "p", "capabilities": [], "tier": 2, "context_window": 1}""", "capabilities")]
    [InlineData("""{"id": "m", "provider": "p", "tier": 2, "context_window": 1}""", "capabilities")]
    [InlineData("""{"id": "m", "provider": "p", "capabilities": null, "tier": 2, "context_window": 1}""", "capabilities")]
    [InlineData("""{"id": "m", "provider": "p", "capabilities": ["t"], "tier": 0, "context_window": 1}""", "tier")]
    [InlineData("""{"id": "m", "provider": "p", "capabilities": ["t"], "tier": 2, "context_window": 0}""", "context_window")]
    [InlineData("""{"id": "m", "provider": "p", "capabilities": ["t"], "tier": 2, "context_window": 1, "status": "busy"}""", "status")]
    [InlineData("""{"id": "m", "provider": "p", "capabilities": ["t"], "tier": 2, "context_window": 1, "endpoint": "ftp://x"}""", "endpoint")]
    [InlineData("""{"id": "m", "provider": "p", "capabilities": ["t"], "tier": 2, "context_window": 1, "cost_per_1k_tokens": -1}""", "cost_per_1k_tokens")]
    [InlineData("""{"id": "../etc/passwd", "provider": "p", "capabilities": ["t"], "tier": 2, "context_window": 1}""", "id")]
    public async Task A_bad_model_is_refused_by_field_and_nothing_is_stored(string body, string field)
    {
        using var response = await _server.PostJsonAsync("/api/tekton/models", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        (await ModelsAsync()).Should().NotContainKey("m");
    }

    [Fact]
    public async Task A_model_served_by_an_llm_component_follows_the_component_and_routing_moves_on_when_it_stops()
    {
        var launch = new JsonObject { ["command"] = "/bin/sh", ["args"] = new JsonArray("-c", $": {_marker}; while true; do sleep 0.2; done") };
        await _server.RegisterAsync("athena-llm", type: "llm", extra: $$"""
            "port": 8011, "capabilities": ["text_generation", "reasoning"], "launch": {{launch.ToJsonString()}},
            "metadata": {"provider": "local", "models": ["athena-7b", {"id": "athena-70b", "tier": 3, "context_window": 65536, "priority": 1}]}
            """);

        var stopped = await ModelsAsync();
        stopped["athena-70b"]["status"]!.GetValue<string>().Should().Be("unavailable", "its component is not running");
        stopped["athena-70b"]["source"]!.GetValue<string>().Should().Be("component");
        stopped["athena-70b"]["component_id"]!.GetValue<string>().Should().Be("athena-llm");
        stopped["athena-7b"]["endpoint"]!.GetValue<string>().Should().Be("http://localhost:8011/api/generate");
        stopped["athena-7b"]["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("reasoning", "text_generation");

        using (var start = await _server.Client.PostAsync("/api/tekton/components/athena-llm/start?wait=true", null))
        {
            start.StatusCode.Should().Be(HttpStatusCode.OK, await start.Content.ReadAsStringAsync());
        }

        (await ModelsAsync())["athena-70b"]["status"]!.GetValue<string>().Should().Be("available");
        (await RouteAsync("""{"task_type": "text_generation", "complexity": "high"}"""))["selected_model"]!.GetValue<string>().Should().Be("athena-70b", "priority 1 among tier 3");

        using (var stop = await _server.PostJsonAsync("/api/tekton/components/athena-llm/stop", """{"force": true}"""))
        {
            stop.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await ModelsAsync())["athena-70b"]["status"]!.GetValue<string>().Should().Be("unavailable");
        (await RouteAsync("""{"task_type": "text_generation", "complexity": "high"}"""))["selected_model"]!.GetValue<string>().Should().Be("gpt-4-turbo");
    }

    [Fact]
    public async Task Capabilities_list_descriptions_and_supporting_models()
    {
        await ModelsAsync();

        var capabilities = (await _server.GetObjectAsync("/api/tekton/capabilities"))["capabilities"]!.AsArray()
            .ToDictionary(c => c!["id"]!.GetValue<string>(), c => c!);

        capabilities["text_generation"]["description"]!.GetValue<string>().Should().Be("Generate text based on a prompt");
        capabilities["text_generation"]["supported_models"]!.AsArray().Select(m => m!.GetValue<string>())
            .Should().Equal("claude-3-sonnet-20240229", "codellama:70b", "gpt-4-turbo", "llama3");
        capabilities["summarization"]["description"]!.GetValue<string>().Should().Be("Shorten long documents", "configured descriptions win");
        capabilities["text_embedding"]["supported_models"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal("nomic-embed-text");
    }

    [Fact]
    public async Task Route_decisions_are_counted_in_metrics_by_outcome_and_model()
    {
        // The Prometheus registry is shared by every server in this test process, so the test counts what it adds.
        const string Selected = "tekton_route_decisions{model=\"gpt-4-turbo\",outcome=\"selected\"}";
        const string NotFound = "tekton_route_decisions{model=\"none\",outcome=\"route_not_found\"}";
        await ModelsAsync();
        var selectedBefore = await MetricAsync(Selected);
        var notFoundBefore = await MetricAsync(NotFound);

        await RouteAsync("""{"task_type": "code_generation"}""");
        using (await _server.PostJsonAsync("/api/tekton/route", """{"task_type": "vision"}"""))
        {
        }

        (await Processes.EventuallyAsync(async () => await MetricAsync(Selected) >= selectedBefore + 1 && await MetricAsync(NotFound) >= notFoundBefore + 1))
            .Should().BeTrue();
    }

    private async Task<double> MetricAsync(string series)
    {
        var text = await _server.Client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

    private async Task<Dictionary<string, JsonNode>> ModelsAsync()
    {
        // Discovery runs at start; wait for its first answer so each test sees all sources.
        Dictionary<string, JsonNode> models = [];
        await Processes.EventuallyAsync(async () =>
        {
            models = (await _server.GetObjectAsync("/api/tekton/models"))["models"]!.AsArray().ToDictionary(m => m!["id"]!.GetValue<string>(), m => m!);
            return models.ContainsKey("llama3");
        });
        return models;
    }

    private async Task<JsonObject> RouteAsync(string body)
    {
        using var response = await _server.PostJsonAsync("/api/tekton/route", body);
        var answer = await response.ReadObjectAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, answer.ToJsonString());
        return answer;
    }
}
