using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Domain.Tests.Components;

public sealed class StateTransitionsTests
{
    private const string ComponentType = "service";

    private static readonly DateTimeOffset RegisteredAt = new(2025, 4, 30, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RequestedAt = RegisteredAt.AddHours(1);

    /// <summary>Design §6.1, written out independently of <see cref="StateTransitions.Allowed"/>.</summary>
    private static readonly Dictionary<ComponentState, ComponentState[]> DesignTable = new()
    {
        [ComponentState.Registered] = [ComponentState.Initializing, ComponentState.Ready, ComponentState.Stopping, ComponentState.Failed],
        [ComponentState.Initializing] = [ComponentState.Ready, ComponentState.Failed, ComponentState.Stopping],
        [ComponentState.Ready] = [ComponentState.Degraded, ComponentState.Stopping, ComponentState.Failed],
        [ComponentState.Degraded] = [ComponentState.Ready, ComponentState.Stopping, ComponentState.Failed],
        [ComponentState.Stopping] = [ComponentState.Stopped, ComponentState.Failed],
        [ComponentState.Stopped] = [ComponentState.Initializing, ComponentState.Ready],
        [ComponentState.Failed] = [ComponentState.Initializing, ComponentState.Stopping, ComponentState.Stopped],
    };

    /// <summary>An allowed way from <c>registered</c> to each state.</summary>
    private static readonly Dictionary<ComponentState, ComponentState[]> PathTo = new()
    {
        [ComponentState.Registered] = [],
        [ComponentState.Initializing] = [ComponentState.Initializing],
        [ComponentState.Ready] = [ComponentState.Ready],
        [ComponentState.Degraded] = [ComponentState.Ready, ComponentState.Degraded],
        [ComponentState.Stopping] = [ComponentState.Stopping],
        [ComponentState.Stopped] = [ComponentState.Stopping, ComponentState.Stopped],
        [ComponentState.Failed] = [ComponentState.Failed],
    };

    public static TheoryData<ComponentState, ComponentState, bool> AllPairs
    {
        get
        {
            var data = new TheoryData<ComponentState, ComponentState, bool>();
            foreach (var from in Enum.GetValues<ComponentState>())
            {
                foreach (var to in Enum.GetValues<ComponentState>())
                {
                    data.Add(from, to, DesignTable[from].Contains(to));
                }
            }

            return data;
        }
    }

    [Fact]
    public void The_table_covers_seven_states_and_forty_nine_pairs()
    {
        Enum.GetValues<ComponentState>().Should().HaveCount(7);
        AllPairs.Should().HaveCount(49);
        StateTransitions.Allowed.Keys.Should().BeEquivalentTo(Enum.GetValues<ComponentState>());
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void IsAllowed_answers_as_the_design_table(ComponentState from, ComponentState to, bool expected)
    {
        StateTransitions.IsAllowed(from, to).Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void RequestTransition_applies_the_design_table(ComponentState from, ComponentState to, bool allowed)
    {
        var instance = InstanceIn(from);
        var readyAtBefore = instance.ReadyAt;
        var changedAtBefore = instance.StatusChangedAt;
        var reasonBefore = instance.StatusReason;

        if (from == to)
        {
            instance.RequestTransition(to, ComponentType, RequestedAt, "again").Should().BeNull("requesting the current state is an idempotent success");
            instance.Status.Should().Be(from);
            instance.StatusChangedAt.Should().Be(changedAtBefore);
            instance.StatusReason.Should().Be(reasonBefore);
            instance.ReadyAt.Should().Be(readyAtBefore);
            return;
        }

        if (!allowed)
        {
            var act = () => instance.RequestTransition(to, ComponentType, RequestedAt, "refused");
            var error = act.Should().Throw<TektonException>().Which;
            error.Code.Should().Be(ErrorCode.InvalidStateTransition);
            error.Details["current_state"].Should().Be(from.ToWire());
            error.Details["requested_state"].Should().Be(to.ToWire());
            error.Details["allowed_states"].Should().BeEquivalentTo(DesignTable[from].Select(s => s.ToWire()));
            instance.Status.Should().Be(from);
            instance.StatusChangedAt.Should().Be(changedAtBefore);
            instance.StatusReason.Should().Be(reasonBefore);
            instance.ReadyAt.Should().Be(readyAtBefore);
            return;
        }

        var change = instance.RequestTransition(to, ComponentType, RequestedAt, "requested");

        change.Should().NotBeNull();
        change!.PreviousState.Should().Be(from);
        change.NewState.Should().Be(to);
        change.ComponentId.Should().Be("hermes");
        change.ComponentType.Should().Be(ComponentType);
        change.InstanceUuid.Should().Be(instance.InstanceUuid);
        change.Timestamp.Should().Be(RequestedAt);
        change.Reason.Should().Be("requested");
        instance.Status.Should().Be(to);
        instance.StatusChangedAt.Should().Be(RequestedAt);
        instance.StatusReason.Should().Be("requested");
        if (to == ComponentState.Ready && from != ComponentState.Degraded)
        {
            instance.ReadyAt.Should().Be(RequestedAt, "entering ready records when the instance became ready");
        }
        else
        {
            instance.ReadyAt.Should().Be(readyAtBefore, "recovering from degraded keeps the original startup time");
        }
    }

    [Fact]
    public void Recovering_from_degraded_keeps_the_startup_time_of_the_first_ready()
    {
        var instance = InstanceIn(ComponentState.Degraded);
        var firstReady = instance.ReadyAt;

        instance.RequestTransition(ComponentState.Ready, ComponentType, RequestedAt, "heartbeat");

        firstReady.Should().NotBeNull();
        instance.ReadyAt.Should().Be(firstReady);
    }

    [Fact]
    public void Ready_again_after_stopped_records_a_new_startup_time()
    {
        var instance = InstanceIn(ComponentState.Ready);
        instance.RequestTransition(ComponentState.Stopping, ComponentType, RequestedAt, null);
        instance.RequestTransition(ComponentState.Stopped, ComponentType, RequestedAt.AddSeconds(1), null);

        instance.RequestTransition(ComponentState.Ready, ComponentType, RequestedAt.AddSeconds(2), "re-announced");

        instance.ReadyAt.Should().Be(RequestedAt.AddSeconds(2));
    }

    private static ComponentInstance InstanceIn(ComponentState state)
    {
        var definition = new ComponentDefinition("Hermes", ComponentType, "1.0.0", [], [], "localhost", 8001, "/health", "{}", 10, 30);
        var component = Component.Register("hermes", definition, 1, RegisteredAt);
        var (instance, _) = component.AddInstance(Guid.NewGuid(), RegisteredAt);
        var at = RegisteredAt;
        foreach (var step in PathTo[state])
        {
            at = at.AddSeconds(1);
            instance.RequestTransition(step, ComponentType, at, "setup").Should().NotBeNull();
        }

        instance.Status.Should().Be(state);
        return instance;
    }
}
