using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;

namespace Tekton.Web.Tests.Service;

public sealed class OpenApiTests : IAsyncLifetime
{
    private TektonServer _server = null!;
    private JsonObject _document = null!;

    public async Task InitializeAsync()
    {
        _server = await TektonServer.StartAsync();
        _document = await _server.GetObjectAsync("/openapi/v1.json");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void The_document_lists_every_mapped_endpoint()
    {
        var mapped = MappedOperations(includeExcluded: false);
        var documented = _document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"))
            .ToList();

        mapped.Should().NotBeEmpty();
        documented.Should().BeEquivalentTo(mapped);
        MappedOperations(includeExcluded: true).Except(mapped).Should().BeEquivalentTo(["GET /metrics", "GET /ws/tekton/heartbeat", "GET /ws/tekton/state"],
            "only the Prometheus scrape endpoint and the event sockets (documented in docs/api.md) are left out of the document");
    }

    [Fact]
    public void Every_operation_has_an_id_a_summary_a_tag_and_typed_responses()
    {
        var ids = new List<string>();
        foreach (var (path, operations) in _document["paths"]!.AsObject())
        {
            foreach (var (method, node) in operations!.AsObject())
            {
                var operation = node!.AsObject();
                var name = $"{method} {path}";
                var id = operation["operationId"]?.GetValue<string>();
                id.Should().NotBeNullOrWhiteSpace(name);
                ids.Add(id!);
                operation["summary"]?.GetValue<string>().Should().NotBeNullOrWhiteSpace(name);
                operation["description"]?.GetValue<string>().Should().NotBeNullOrWhiteSpace(name);
                operation["tags"]!.AsArray().Should().NotBeEmpty(name);
                var responses = operation["responses"]!.AsObject();
                var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
                success.Should().NotBeEmpty(name);
                success.Where(r => r.Key != "204").Should().OnlyContain(r => r.Value!["content"]!["application/json"]!["schema"] != null, name);
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5' && r.Key != "503"))
                {
                    response!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>()
                        .Should().EndWith("/ProblemDetails", $"{name} {status}");
                }

                if (AcceptsBody.Contains(id!))
                {
                    operation["requestBody"]!["content"]!["application/json"]!["schema"].Should().NotBeNull(name);
                }
            }
        }

        ids.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Schemas_use_the_wire_names_and_state_units()
    {
        var schemas = _document["components"]!["schemas"]!.AsObject();

        var registration = schemas["RegisterComponent"]!["properties"]!.AsObject();
        registration.Select(p => p.Key).Should().Contain(["component_id", "component_name", "component_type", "health_check", "heartbeat_interval"]);
        schemas["RegisterComponent"]!["additionalProperties"]!.GetValue<bool>().Should().BeFalse("unknown fields are rejected");
        registration["heartbeat_interval"]!["description"]!.GetValue<string>().Should().Contain("Seconds");
        schemas["ComponentDetails"]!["properties"]!["uptime"]!["description"]!.GetValue<string>().Should().Contain("hh:mm:ss");
        var problem = schemas["ProblemDetails"]!["properties"]!.AsObject();
        problem.Select(p => p.Key).Should().Contain(["code", "success", "trace_id", "errors"]);
        _document["info"]!["description"]!.GetValue<string>().Should().Contain("GiB").And.Contain("MiB").And.Contain("RFC 3339");
    }

    [Fact]
    public void Security_schemes_and_refusals_are_declared()
    {
        var schemes = _document["components"]!["securitySchemes"]!.AsObject();
        schemes["bearer"]!["scheme"]!.GetValue<string>().Should().Be("bearer");
        schemes["api_key"]!["name"]!.GetValue<string>().Should().Be("X-API-Key");

        var start = _document["paths"]!["/api/tekton/components/{component_id}/start"]!["post"]!;
        start["security"]!.AsArray().Should().HaveCount(2);
        start["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["401", "403", "429"]);
        start["x-tekton-roles"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("admin");
        start["responses"]!["403"]!["content"]!["application/problem+json"].Should().NotBeNull();

        var route = _document["paths"]!["/api/tekton/route"]!["post"]!;
        route["responses"]!.AsObject().Select(r => r.Key).Should().Contain("401").And.NotContain("403", "every role may route");

        var version = _document["paths"]!["/api/tekton/version"]!["get"]!;
        version["security"].Should().BeNull("version is public");
        version["responses"]!.AsObject().Select(r => r.Key).Should().NotContain("401");
    }

    [Theory]
    [InlineData("RegisterComponent", new[] { "component_id", "component_name", "component_type", "version" })]
    [InlineData("LaunchBody", new[] { "command" })]
    [InlineData("ModelBody", new[] { "provider", "capabilities", "tier", "context_window" })]
    [InlineData("RouteBody", new[] { "task_type" })]
    [InlineData("CreateApiKey", new[] { "name", "role" })]
    [InlineData("IssueToken", new[] { "api_key" })]
    [InlineData("InstanceStateBody", new[] { "state" })]
    public void Request_schemas_declare_the_fields_Tekton_requires(string schema, string[] required)
    {
        var declared = _document["components"]!["schemas"]![schema]!["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [];

        declared.Should().BeEquivalentTo(required, $"a client generated from the document must know what {schema} cannot leave out");
    }

    [Fact]
    public void Every_operation_with_a_body_declares_413_and_415()
    {
        foreach (var (path, operations) in _document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject().Where(o => o.Value!["requestBody"] is not null))
            {
                operation!["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["413", "415"], $"{method} {path} reads a body under the 1 MiB and JSON rules");
            }
        }
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        using var response = await _server.Client.GetAsync("/swagger/index.html");

        response.IsSuccessStatusCode.Should().BeTrue();
        (await response.Content.ReadAsStringAsync()).Should().Contain("swagger");
    }

    /// <summary>Names of the endpoints that read a JSON body.</summary>
    private HashSet<string> AcceptsBody =>
        [.. _server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? string.Empty)];

    private List<string> MappedOperations(bool includeExcluded) =>
        _server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.SignalR.HubMetadata>() is null) // SignalR has no OpenAPI description
            .Where(e => includeExcluded || e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} {"/" + e.RoutePattern.RawText!.Trim('/')}"))
            .ToList();
}
