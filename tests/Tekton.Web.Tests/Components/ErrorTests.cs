using System.Net;
using System.Text;

namespace Tekton.Web.Tests.Components;

/// <summary>Every way a request can be wrong gets problem+json with the right status and code, and stores nothing.</summary>
public sealed class ErrorTests : IAsyncLifetime
{
    private const string Valid = """{"component_id":"probe","component_name":"Probe","component_type":"service","version":"1.0.0"}""";

    private TektonServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TektonServer.StartAsync();
        await _server.RegisterAsync("hermes", type: "messaging");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string> BadRegistrations => new()
    {
        { "malformed JSON", """{"component_id":""", "body" },
        { "not an object", """[1,2,3]""", "body" },
        { "wrong type for port", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","port":"eighty"}""", "port" },
        { "wrong type for capabilities", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","capabilities":"x"}""", "capabilities" },
        { "unknown field", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","colour":"red"}""", "colour" },
        { "server-owned field", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","status":"ready"}""", "status" },
        { "missing id", """{"component_name":"P","component_type":"service","version":"1.0.0"}""", "component_id" },
        { "missing type", """{"component_id":"probe","component_name":"P","version":"1.0.0"}""", "component_type" },
        { "id breaks the pattern", """{"component_id":"../etc/passwd","component_name":"P","component_type":"service","version":"1.0.0"}""", "component_id" },
        { "id too long", $$"""{"component_id":"{{new string('a', 65)}}","component_name":"P","component_type":"service","version":"1.0.0"}""", "component_id" },
        { "type not a token", """{"component_id":"probe","component_name":"P","component_type":"Service!","version":"1.0.0"}""", "component_type" },
        { "version not semver", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0"}""", "version" },
        { "port out of range", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","port":70000}""", "port" },
        { "self dependency", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","dependencies":["probe"]}""", "dependencies" },
        { "duplicate capabilities", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","capabilities":["a","a"]}""", "capabilities" },
        { "health check not a path", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","health_check":"health"}""", "health_check" },
        { "metadata not an object", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","metadata":[1]}""", "metadata" },
        { "metadata over 32 KiB", Valid.TrimEnd('}') + ",\"metadata\":{\"x\":\"" + new string('x', 33 * 1024) + "\"}}", "metadata" },
        { "launch without a command", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","launch":{"args":["x"]}}""", "launch.command" },
        { "launch with a null command", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","launch":{"command":null}}""", "launch.command" },
        { "host not a host", """{"component_id":"probe","component_name":"P","component_type":"service","version":"1.0.0","host":"no spaces allowed"}""", "host" },
        { "nested too deep", Valid.TrimEnd('}') + ",\"metadata\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 41), "body" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task A_bad_registration_is_400_with_1002_naming_the_field_and_stores_nothing(string because, string body, string field)
    {
        using var response = await _server.PostJsonAsync("/api/tekton/components", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002);
        problem["errors"]!.AsObject().Select(p => p.Key).Should().Contain(field, because);
        await ShouldStoreNothingAsync();
    }

    [Fact]
    public async Task An_empty_body_is_400_with_1002()
    {
        using var response = await _server.Client.PostAsync("/api/tekton/components", new StringContent(string.Empty, Encoding.UTF8, "application/json"));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002);
        await ShouldStoreNothingAsync();
    }

    [Fact]
    public async Task A_body_over_1_MiB_is_413_with_1007()
    {
        var huge = Valid.Replace("\"Probe\"", $"\"{new string('p', 1024 * 1024)}\"", StringComparison.Ordinal);

        using var response = await _server.PostJsonAsync("/api/tekton/components", huge);

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, 1007);
        await ShouldStoreNothingAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_415_with_1000()
    {
        using var response = await _server.Client.PostAsync("/api/tekton/components", new StringContent(Valid, Encoding.UTF8, "text/plain"));

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, 1000);
        await ShouldStoreNothingAsync();
    }

    [Fact]
    public async Task A_body_without_a_content_type_is_415_with_1000()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Valid));

        using var response = await _server.Client.PostAsync("/api/tekton/components", content);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, 1000);
        await ShouldStoreNothingAsync();
    }

    [Fact]
    public async Task Registering_an_id_with_another_type_is_409_with_1011_and_keeps_the_first()
    {
        using var response = await _server.PostJsonAsync("/api/tekton/components", """
            {"component_id":"hermes","component_name":"Impostor","component_type":"memory","version":"2.0.0"}
            """);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, 1011);
        problem["existing_type"]!.GetValue<string>().Should().Be("messaging");
        var hermes = await _server.GetObjectAsync("/api/tekton/components/hermes");
        hermes["component_name"]!.GetValue<string>().Should().Be("hermes component");
        hermes["version"]!.GetValue<string>().Should().Be("1.0.0");
        hermes["instances"]!.AsArray().Should().HaveCount(1);
    }

    [Fact]
    public async Task Registering_with_another_components_instance_uuid_is_400_with_1002_and_stores_nothing()
    {
        var hermesInstance = (await _server.GetObjectAsync("/api/tekton/components/hermes/status"))["instance_uuid"]!.GetValue<Guid>();

        using var response = await _server.PostJsonAsync("/api/tekton/components", $$"""
            {"component_id":"probe","component_name":"Probe","component_type":"service","version":"1.0.0","instance_uuid":"{{hermesInstance}}"}
            """);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002);
        problem["errors"]!["instance_uuid"]![0]!.GetValue<string>().Should().Contain("hermes");
        await ShouldStoreNothingAsync();
    }

    [Theory]
    [InlineData("GET", "/api/tekton/components/ghost")]
    [InlineData("GET", "/api/tekton/components/ghost/status")]
    [InlineData("GET", "/api/tekton/components/ghost/dependencies")]
    [InlineData("DELETE", "/api/tekton/components/ghost")]
    [InlineData("GET", "/api/tekton/components/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("GET", "/api/tekton/components/%E2%9C%93")]
    public async Task An_unknown_component_is_404_with_1001(string method, string path)
    {
        using var response = await _server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
    }

    [Fact]
    public async Task A_heartbeat_for_an_unknown_component_or_instance_is_404_with_1001()
    {
        using var unknownComponent = await _server.PostJsonAsync("/api/tekton/components/ghost/heartbeat", "{}");
        using var unknownInstance = await _server.PostJsonAsync("/api/tekton/components/hermes/heartbeat", $$"""{"instance_uuid":"{{Guid.NewGuid()}}"}""");
        using var unknownStateTarget = await _server.PutJsonAsync($"/api/tekton/components/hermes/instances/{Guid.NewGuid()}/state", """{"state":"ready"}""");

        await unknownComponent.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
        await unknownInstance.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
        await unknownStateTarget.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
    }

    [Theory]
    [InlineData("""{"status":"sleeping"}""", "status")]
    [InlineData("""{"metrics":[1,2]}""", "metrics")]
    [InlineData("""{"instance_uuid":"not-a-uuid"}""", "instance_uuid")]
    [InlineData("""{"beat":true}""", "beat")]
    public async Task A_bad_heartbeat_is_400_with_1000(string body, string field)
    {
        using var response = await _server.PostJsonAsync("/api/tekton/components/hermes/heartbeat", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem["errors"]!.AsObject().Select(p => p.Key).Should().Contain(field);
        var status = await _server.GetObjectAsync("/api/tekton/components/hermes/status");
        status["last_heartbeat"].Should().BeNull("a rejected heartbeat is not recorded");
    }

    [Theory]
    [InlineData("""{}""", "state")]
    [InlineData("""{"state":"asleep"}""", "state")]
    [InlineData("""{"state":"ready","when":"now"}""", "when")]
    [InlineData("""{"state":42}""", "state")]
    public async Task A_bad_state_report_is_400_with_1000(string body, string field)
    {
        var instance = await CurrentInstanceAsync("hermes");

        using var response = await _server.PutJsonAsync($"/api/tekton/components/hermes/instances/{instance}/state", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem["errors"]!.AsObject().Select(p => p.Key).Should().Contain(field);
        (await _server.GetObjectAsync("/api/tekton/components/hermes/status"))["status"]!.GetValue<string>().Should().Be("registered");
    }

    [Fact]
    public async Task A_malformed_instance_uuid_in_the_path_is_400_with_1000()
    {
        using var response = await _server.PutJsonAsync("/api/tekton/components/hermes/instances/not-a-uuid/state", """{"state":"ready"}""");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem["errors"]!.AsObject().Select(p => p.Key).Should().Contain("instance_uuid");
    }

    [Fact]
    public async Task An_invalid_status_filter_is_400_with_1000()
    {
        using var response = await _server.Client.GetAsync("/api/tekton/components?status=sleeping");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem["errors"]!["status"]![0]!.GetValue<string>().Should().Contain("registered, initializing, ready");
    }

    [Theory]
    [InlineData("GET", "/api/tekton/nothing-here")]
    [InlineData("GET", "/api")]
    [InlineData("POST", "/api/tekton/dependencies/extra")]
    public async Task An_unknown_route_is_404_with_1000(string method, string path)
    {
        using var response = await _server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1000);
    }

    [Theory]
    [InlineData("PATCH", "/api/tekton/components")]
    [InlineData("PUT", "/api/tekton/components/hermes")]
    [InlineData("DELETE", "/api/tekton/dependencies")]
    [InlineData("POST", "/api/tekton/version")]
    public async Task A_wrong_method_is_405_with_1000(string method, string path)
    {
        using var response = await _server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, 1000);
    }

    private async Task<Guid> CurrentInstanceAsync(string id) =>
        (await _server.GetObjectAsync($"/api/tekton/components/{id}/status"))["instance_uuid"]!.GetValue<Guid>();

    private async Task ShouldStoreNothingAsync()
    {
        var list = await _server.GetObjectAsync("/api/tekton/components");
        list["components"]!.AsArray().Select(c => c!["component_id"]!.GetValue<string>()).Should().Equal("hermes");
        var hermes = await _server.GetObjectAsync("/api/tekton/components/hermes");
        hermes["instances"]!.AsArray().Should().HaveCount(1);
    }
}
