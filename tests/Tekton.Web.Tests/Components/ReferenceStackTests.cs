using System.Net;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Components;

/// <summary>The reference's stack, registered over HTTP, read back with the reference's shapes.</summary>
public sealed class ReferenceStackTests : IAsyncLifetime
{
    private TektonServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TektonServer.StartAsync();
        await ReferenceStack.RegisterAsync(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Dependency_graph_gives_the_reference_startup_order_and_no_cycles()
    {
        var graph = await _server.GetObjectAsync("/api/tekton/dependencies");

        Strings(graph["startup_order"]).Should().Equal("hermes", "engram", "rhetor", "athena", "ergon", "api_gateway");
        graph["circular_dependencies"]!.AsArray().Should().BeEmpty();
        graph["missing_dependencies"]!.AsObject().Should().BeEmpty();
        var dependencies = graph["dependencies"]!.AsObject();
        dependencies.Select(p => p.Key).Should().BeEquivalentTo(["hermes", "engram", "rhetor", "athena", "ergon", "api_gateway"]);
        Strings(dependencies["api_gateway"]).Should().Equal("hermes", "engram", "rhetor");
        Strings(dependencies["hermes"]).Should().BeEmpty();
    }

    [Fact]
    public async Task Component_dependencies_name_what_it_needs_and_what_needs_it()
    {
        var rhetor = await _server.GetObjectAsync("/api/tekton/components/rhetor/dependencies");

        rhetor.Select(p => p.Key).Should().BeEquivalentTo(["component_id", "depends_on", "dependent_components"]);
        rhetor["component_id"]!.GetValue<string>().Should().Be("rhetor");
        Strings(rhetor["depends_on"]).Should().Equal("hermes", "engram");
        Strings(rhetor["dependent_components"]).Should().Equal("ergon", "api_gateway");
    }

    [Fact]
    public async Task A_registration_that_closes_a_cycle_is_accepted_with_a_warning_and_reported()
    {
        using var response = await _server.PostJsonAsync("/api/tekton/components", """
            {"component_id":"hermes","component_name":"Hermes","component_type":"messaging","version":"1.1.0","dependencies":["ergon"]}
            """);
        var answer = await response.ReadObjectAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Strings(answer["warnings"]).Should().ContainSingle().Which.Should().Be("circular dependency: hermes -> ergon -> hermes");
        var graph = await _server.GetObjectAsync("/api/tekton/dependencies");
        graph["circular_dependencies"]!.AsArray().Should().ContainSingle();
        var cycle = Strings(graph["circular_dependencies"]![0]).ToList();
        cycle.Should().BeEquivalentTo(["hermes", "ergon", "rhetor", "engram"]);
        cycle[0].Should().Be("hermes", "a cycle is read from its oldest member");
        cycle[1].Should().Be("ergon", "then along the dependencies");
        Strings(graph["startup_order"]).Should().BeEmpty("every component is in or behind the cycle");
    }

    [Fact]
    public async Task A_missing_dependency_is_reported_and_warned_about()
    {
        using var response = await _server.PostJsonAsync("/api/tekton/components", """
            {"component_id":"orphan","component_name":"Orphan","component_type":"service","version":"1.0.0","dependencies":["ghost","hermes"]}
            """);
        var answer = await response.ReadObjectAsync();

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        Strings(answer["warnings"]).Should().Equal("dependencies not registered: ghost");
        var graph = await _server.GetObjectAsync("/api/tekton/dependencies");
        Strings(graph["missing_dependencies"]!["orphan"]).Should().Equal("ghost");
        Strings(graph["startup_order"]).Should().Contain("orphan");
    }

    [Fact]
    public async Task Registration_answer_has_the_reference_shape()
    {
        using var response = await _server.PostJsonAsync("/api/tekton/components", """
            {"component_id":"my_component","component_name":"My Custom Component","component_type":"service","version":"1.0.0",
             "capabilities":["data_processing","visualization"],"dependencies":["engram","rhetor"],"host":"localhost","port":8500,
             "health_check":"/api/health","metadata":{"description":"A custom component for data processing","contact":"developer@example.com"}}
            """);
        var answer = await response.ReadObjectAsync();

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.Location!.ToString().Should().Be("/api/tekton/components/my_component");
        answer.Select(p => p.Key).Should().BeEquivalentTo(["success", "message", "instance_uuid"]);
        answer["success"]!.GetValue<bool>().Should().BeTrue();
        answer["message"]!.GetValue<string>().Should().Be("Component registered successfully");
        Guid.TryParse(answer["instance_uuid"]!.GetValue<string>(), out _).Should().BeTrue();
    }

    [Fact]
    public async Task List_has_the_reference_fields_and_types_in_registration_order()
    {
        var list = await _server.GetObjectAsync("/api/tekton/components");
        var components = list["components"]!.AsArray();

        components.Select(c => c!["component_id"]!.GetValue<string>())
            .Should().Equal("hermes", "engram", "rhetor", "athena", "ergon", "api_gateway");
        var engram = components[1]!.AsObject();
        engram.Select(p => p.Key).Should().BeEquivalentTo(
            ["component_id", "component_name", "component_type", "version", "status", "host", "port", "capabilities", "last_heartbeat"]);
        engram["component_type"]!.GetValue<string>().Should().Be("memory");
        engram["version"]!.GetValue<string>().Should().Be("1.0.0");
        engram["status"]!.GetValue<string>().Should().Be("registered");
        engram["host"]!.GetValue<string>().Should().Be("localhost");
        engram["capabilities"]!.AsArray().Should().BeEmpty();
        engram["last_heartbeat"].Should().BeNull();
    }

    [Theory]
    [InlineData("?type=memory", new[] { "engram" })]
    [InlineData("?status=registered&type=llm", new[] { "rhetor" })]
    [InlineData("?status=ready", new string[0])]
    [InlineData("?capability=vector_search", new string[0])]
    public async Task List_filters_by_status_and_type(string query, string[] expected)
    {
        var list = await _server.GetObjectAsync("/api/tekton/components" + query);

        list["components"]!.AsArray().Select(c => c!["component_id"]!.GetValue<string>()).Should().Equal(expected);
    }

    [Fact]
    public async Task List_filters_by_capability()
    {
        await _server.RegisterAsync("engram", ["hermes"], type: "memory", extra: """ "capabilities":["memory_storage","vector_search"] """);

        var list = await _server.GetObjectAsync("/api/tekton/components?capability=vector_search");

        list["components"]!.AsArray().Select(c => c!["component_id"]!.GetValue<string>()).Should().Equal("engram");
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>());
}
