using System.Net;
using System.Text.Json;

namespace Tekton.Client.Tests.Components;

[Collection(SharedServerCollection.Name)]
public sealed class ComponentClientTests(SharedServer shared)
{
    private readonly TektonClient _client = shared.Client;

    [Fact]
    public async Task Register_answers_success_and_the_instance_and_a_second_registration_is_not_created()
    {
        var id = SharedServer.Id("reg");
        var registration = new ComponentRegistration(id, "Registered", "service", "1.0.0")
        {
            Capabilities = ["data_processing"],
            Dependencies = ["ghost"],
            Port = 8500,
            Metadata = new Dictionary<string, object?> { ["description"] = "a test", ["shards"] = 3 },
        };

        var first = await _client.RegisterComponentAsync(registration);
        var (success, uuid) = first;

        success.Should().BeTrue();
        uuid.Should().NotBeEmpty();
        first.Created.Should().BeTrue();
        first.Warnings.Should().ContainSingle().Which.Should().Contain("ghost");
        var again = await _client.RegisterComponentAsync(registration);
        again.Created.Should().BeFalse();
        again.InstanceUuid.Should().NotBe(uuid, "registering again adds an instance");

        var details = await _client.GetComponentAsync(id);
        details.ComponentName.Should().Be("Registered");
        details.Capabilities.Should().Equal("data_processing");
        details.Dependencies.Should().Equal("ghost");
        details.Port.Should().Be(8500);
        details.Metadata["shards"].GetInt32().Should().Be(3);
        details.Instances.Select(i => i.InstanceUuid).Should().Equal(again.InstanceUuid, uuid);
        details.Instances.Should().OnlyContain(i => i.Status == ComponentStates.Registered);
        details.HeartbeatInterval.Should().Be(10);
        details.Launch.Should().BeNull();
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_gets_the_first_answer_and_creates_one_instance()
    {
        var id = SharedServer.Id("idem");
        var registration = new ComponentRegistration(id, "Idempotent", "service", "1.0.0");

        var first = await _client.RegisterComponentAsync(registration, idempotencyKey: "retry-" + id);
        var retried = await _client.RegisterComponentAsync(registration, idempotencyKey: "retry-" + id);

        retried.InstanceUuid.Should().Be(first.InstanceUuid);
        retried.Created.Should().BeTrue("the retry gets the first answer, 201 included");
        (await _client.GetComponentAsync(id)).Instances.Should().ContainSingle();
        var changed = () => _client.RegisterComponentAsync(new ComponentRegistration(id, "Other body", "service", "1.0.0"), "retry-" + id);
        (await changed.Should().ThrowAsync<TektonApiException>()).Which.Code.Should().Be(1002);
    }

    [Fact]
    public async Task Lists_filter_and_find_by_capability()
    {
        var capability = "cap_" + Guid.NewGuid().ToString("N")[..8];
        var a = SharedServer.Id("list-a");
        var b = SharedServer.Id("list-b");
        await _client.RegisterComponentAsync(new ComponentRegistration(a, "A", "memory", "1.0.0") { Capabilities = [capability] });
        await _client.RegisterComponentAsync(new ComponentRegistration(b, "B", "llm", "2.0.0") { Capabilities = [capability, "other"] });

        (await _client.FindComponentsByCapabilityAsync(capability)).Select(c => c.ComponentId).Should().Equal(a, b);
        (await _client.ListComponentsAsync(type: "llm", capability: capability)).Should().ContainSingle().Which.Version.Should().Be("2.0.0");
        (await _client.ListComponentsAsync(status: ComponentStates.Registered)).Select(c => c.ComponentId).Should().Contain([a, b]);
        (await _client.ListComponentsAsync()).Should().Contain(c => c.ComponentId == a && c.ComponentType == "memory");
    }

    [Fact]
    public async Task Status_and_deregistration()
    {
        var id = SharedServer.Id("status");
        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(id, "Status", "service", "1.0.0"));
        await _client.SendHeartbeatAsync(id, new Heartbeat { InstanceUuid = uuid, Status = ComponentStates.Ready, Health = new Dictionary<string, string> { ["database"] = "healthy" } });

        var status = await _client.GetComponentStatusAsync(id);

        status.Status.Should().Be(ComponentStates.Ready);
        status.InstanceUuid.Should().Be(uuid);
        status.LastHeartbeat.Should().NotBeNull();
        status.UptimeSpan.Should().NotBeNull();
        status.HealthStatus["database"].GetString().Should().Be("healthy");
        status.HealthStatus.Should().ContainKey("overall");

        (await _client.DeregisterComponentAsync(id)).Success.Should().BeTrue();
        var gone = await FluentActions.Awaiting(() => _client.GetComponentStatusAsync(id)).Should().ThrowAsync<TektonApiException>();
        gone.Which.Code.Should().Be(1001);
        gone.Which.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Errors_carry_the_tekton_code_the_status_and_the_problem_members()
    {
        var invalid = await FluentActions.Awaiting(() => _client.RegisterComponentAsync(new ComponentRegistration("bad id!", "", "service", "x")))
            .Should().ThrowAsync<TektonApiException>();
        invalid.Which.Code.Should().Be(1002);
        invalid.Which.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        invalid.Which.Errors.Should().ContainKeys("component_id", "component_name", "version");

        var id = SharedServer.Id("typed");
        await _client.RegisterComponentAsync(new ComponentRegistration(id, "Typed", "memory", "1.0.0"));
        var conflict = await FluentActions.Awaiting(() => _client.RegisterComponentAsync(new ComponentRegistration(id, "Typed", "llm", "1.0.0")))
            .Should().ThrowAsync<TektonApiException>();
        conflict.Which.Code.Should().Be(1011);
        conflict.Which.Member("existing_type")!.Value.GetString().Should().Be("memory");
        conflict.Which.Problem!.Value.GetProperty("status").GetInt32().Should().Be(409);
    }

    [Fact]
    public async Task The_dependency_graph_and_one_component_s_dependencies()
    {
        var hub = SharedServer.Id("hub");
        var leaf = SharedServer.Id("leaf");
        await _client.RegisterComponentAsync(new ComponentRegistration(leaf, "Leaf", "service", "1.0.0") { Dependencies = [hub] });
        await _client.RegisterComponentAsync(new ComponentRegistration(hub, "Hub", "service", "1.0.0"));

        var graph = await _client.GetDependencyGraphAsync();

        graph.Dependencies[leaf].Should().Equal(hub);
        graph.StartupOrder.Should().ContainInOrder(hub, leaf);
        graph.MissingDependencies.Should().NotContainKey(leaf);
        var dependencies = await _client.GetComponentDependenciesAsync(hub);
        dependencies.DependsOn.Should().BeEmpty();
        dependencies.DependentComponents.Should().Equal(leaf);
        JsonSerializer.Serialize(graph, TektonJson.Options).Should().Contain("\"startup_order\"");
    }
}
