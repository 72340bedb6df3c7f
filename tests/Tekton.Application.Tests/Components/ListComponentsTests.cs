using FluentValidation;
using Tekton.Application.Common;
using Tekton.Application.Components;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Components;
using static Tekton.Application.Tests.Common.TestComponents;

namespace Tekton.Application.Tests.Components;

public sealed class ListComponentsTests
{
    private readonly Registry _registry = new();
    private readonly RegistryProjection _projection = new();
    private readonly HeartbeatTable _heartbeats = new();
    private readonly ListComponentsHandler _handler;

    public ListComponentsTests()
    {
        _handler = new(_projection, _heartbeats);
        Register(_registry, "hermes", Definition("service", ["messaging", "events"]), ComponentState.Ready);
        Register(_registry, "engram", Definition("memory", ["memory", "search"]), ComponentState.Registered);
        Register(_registry, "rhetor", Definition("llm", ["chat"]), ComponentState.Failed);
        Register(_registry, "athena", Definition("memory", ["search", "graph"]), ComponentState.Ready);
        Register(_registry, "ergon", Definition("agent", ["search"]), state: null);
        _projection.Publish(_registry, ["ergon", "athena", "rhetor", "engram", "hermes"]);
    }

    [Fact]
    public async Task Without_filters_every_component_is_listed_in_registration_order()
    {
        var list = await List(null, null, null);

        list.Select(c => c.ComponentId).Should().Equal("hermes", "engram", "rhetor", "athena", "ergon");
    }

    [Theory]
    [InlineData("ready", new[] { "hermes", "athena" })]
    [InlineData("registered", new[] { "engram", "ergon" })]
    [InlineData("failed", new[] { "rhetor" })]
    [InlineData("degraded", new string[0])]
    public async Task The_status_filter_keeps_components_in_that_state(string status, string[] expected)
    {
        var list = await List(status, null, null);

        list.Select(c => c.ComponentId).Should().Equal(expected);
        list.Where(c => c.Status != status).Should().BeEmpty();
    }

    [Theory]
    [InlineData("memory", new[] { "engram", "athena" })]
    [InlineData("llm", new[] { "rhetor" })]
    [InlineData("Memory", new string[0])]
    [InlineData("ui", new string[0])]
    public async Task The_type_filter_matches_the_exact_component_type(string type, string[] expected)
    {
        var list = await List(null, type, null);

        list.Select(c => c.ComponentId).Should().Equal(expected);
    }

    [Theory]
    [InlineData("search", new[] { "engram", "athena", "ergon" })]
    [InlineData("messaging", new[] { "hermes" })]
    [InlineData("Search", new string[0])]
    [InlineData("sear", new string[0])]
    public async Task The_capability_filter_matches_one_exact_capability(string capability, string[] expected)
    {
        var list = await List(null, null, capability);

        list.Select(c => c.ComponentId).Should().Equal(expected);
    }

    [Fact]
    public async Task Filters_combine()
    {
        (await List("ready", "memory", "search")).Select(c => c.ComponentId).Should().Equal("athena");
        (await List("registered", "memory", "search")).Select(c => c.ComponentId).Should().Equal("engram");
        (await List("ready", "llm", null)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_summary_carries_the_view_and_the_live_heartbeat_of_the_current_instance()
    {
        var current = _projection.Current.Find("hermes")!.Current!;
        _heartbeats.Record(new HeartbeatRecord("hermes", current.InstanceUuid, T0.AddMinutes(5), null));

        var hermes = (await List(null, null, null)).Single(c => c.ComponentId == "hermes");

        hermes.ComponentName.Should().Be("service component");
        hermes.ComponentType.Should().Be("service");
        hermes.Version.Should().Be("1.0.0");
        hermes.Status.Should().Be("ready");
        hermes.Host.Should().Be("localhost");
        hermes.Port.Should().Be(8000);
        hermes.Capabilities.Should().Equal("messaging", "events");
        hermes.LastHeartbeat.Should().Be(T0.AddMinutes(5));
        (await List(null, null, null)).Single(c => c.ComponentId == "ergon").LastHeartbeat.Should().BeNull();
    }

    [Fact]
    public async Task The_list_follows_the_latest_published_snapshot()
    {
        _registry.Remove("engram");
        WalkTo(_registry.Find("rhetor")!.Instances[0], "llm", ComponentState.Initializing);
        _projection.Publish(_registry, ["engram", "rhetor"]);

        (await List(null, null, null)).Select(c => c.ComponentId).Should().Equal("hermes", "rhetor", "athena", "ergon");
        (await List("initializing", null, null)).Select(c => c.ComponentId).Should().Equal("rhetor");
    }

    [Theory]
    [InlineData("Ready")]
    [InlineData("bogus")]
    [InlineData("")]
    public void The_validator_rejects_a_status_that_is_not_a_wire_state(string status)
    {
        ValidatorOptions.Global.LanguageManager.Enabled = false;

        var result = new ListComponentsValidator().Validate(new ListComponents(status, null, null));

        result.IsValid.Should().BeFalse();
        result.Errors.Should().ContainSingle().Which.ErrorMessage.Should().Contain($"'{status}'").And.Contain("ready");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ready")]
    [InlineData("stopped")]
    public void The_validator_accepts_no_status_or_a_wire_state(string? status)
    {
        new ListComponentsValidator().Validate(new ListComponents(status, "Any", "thing")).IsValid.Should().BeTrue();
    }

    private async Task<IReadOnlyList<ComponentSummary>> List(string? status, string? type, string? capability) =>
        (await _handler.Handle(new ListComponents(status, type, capability), CancellationToken.None)).Components;
}
