using Tekton.Domain.Components;

namespace Tekton.Domain.Tests.Components;

public sealed class ComponentStatesTests
{
    public static TheoryData<ComponentState> AllStates => [.. Enum.GetValues<ComponentState>()];

    [Theory]
    [InlineData(ComponentState.Registered, "registered")]
    [InlineData(ComponentState.Initializing, "initializing")]
    [InlineData(ComponentState.Ready, "ready")]
    [InlineData(ComponentState.Degraded, "degraded")]
    [InlineData(ComponentState.Stopping, "stopping")]
    [InlineData(ComponentState.Stopped, "stopped")]
    [InlineData(ComponentState.Failed, "failed")]
    public void ToWire_is_the_lowercase_state_name(ComponentState state, string wire)
    {
        state.ToWire().Should().Be(wire);
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void TryParse_reads_back_what_ToWire_writes(ComponentState state)
    {
        ComponentStates.TryParse(state.ToWire(), out var parsed).Should().BeTrue();
        parsed.Should().Be(state);
    }

    [Theory]
    [InlineData("Ready")]
    [InlineData("READY")]
    [InlineData("bogus")]
    [InlineData("")]
    [InlineData(" ready")]
    [InlineData("unregistered")]
    [InlineData(null)]
    public void TryParse_rejects_anything_but_an_exact_wire_name(string? value)
    {
        ComponentStates.TryParse(value, out _).Should().BeFalse();
    }

    [Fact]
    public void No_state_is_written_as_unregistered()
    {
        ((ComponentState?)null).ToWire().Should().Be(ComponentStates.Unregistered).And.Be("unregistered");
        ((ComponentState?)ComponentState.Ready).ToWire().Should().Be("ready");
    }

    [Theory]
    [InlineData(ComponentState.Registered, true)]
    [InlineData(ComponentState.Initializing, true)]
    [InlineData(ComponentState.Ready, true)]
    [InlineData(ComponentState.Degraded, true)]
    [InlineData(ComponentState.Stopping, true)]
    [InlineData(ComponentState.Stopped, false)]
    [InlineData(ComponentState.Failed, false)]
    public void Only_stopped_and_failed_instances_are_not_live(ComponentState state, bool live)
    {
        state.IsLive().Should().Be(live);
    }

    [Theory]
    [InlineData(ComponentState.Registered, false)]
    [InlineData(ComponentState.Initializing, false)]
    [InlineData(ComponentState.Ready, true)]
    [InlineData(ComponentState.Degraded, true)]
    [InlineData(ComponentState.Stopping, false)]
    [InlineData(ComponentState.Stopped, false)]
    [InlineData(ComponentState.Failed, false)]
    public void Only_ready_and_degraded_satisfy_dependents(ComponentState state, bool satisfies)
    {
        state.SatisfiesDependents().Should().Be(satisfies);
    }
}
