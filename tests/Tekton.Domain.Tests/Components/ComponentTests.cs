using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Domain.Tests.Components;

public sealed class ComponentTests
{
    private static readonly DateTimeOffset T0 = new(2025, 4, 30, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Register_takes_the_definition_and_starts_with_no_instances()
    {
        var component = Component.Register("rhetor", Definition("llm", ["hermes", "engram"]), 3, T0);

        component.ComponentId.Should().Be("rhetor");
        component.ComponentName.Should().Be("Component");
        component.ComponentType.Should().Be("llm");
        component.Version.Should().Be("1.0.0");
        component.Capabilities.Should().Equal("chat");
        component.Dependencies.Should().Equal("hermes", "engram");
        component.Host.Should().Be("localhost");
        component.Port.Should().Be(8003);
        component.HealthCheck.Should().Be("/health");
        component.MetadataJson.Should().Be("""{"tier":1}""");
        component.HeartbeatInterval.Should().Be(10);
        component.HeartbeatTimeout.Should().Be(30);
        component.RegistrationSequence.Should().Be(3);
        component.RegisteredAt.Should().Be(T0);
        component.UpdatedAt.Should().Be(T0);
        component.Instances.Should().BeEmpty();
        component.CurrentInstance.Should().BeNull();
    }

    [Fact]
    public void Register_copies_the_declared_lists()
    {
        List<string> capabilities = ["chat"];
        List<string> dependencies = ["hermes"];
        var definition = Definition("llm") with { Capabilities = capabilities, Dependencies = dependencies };

        var component = Component.Register("rhetor", definition, 1, T0);
        capabilities.Add("later");
        dependencies.Add("later");

        component.Capabilities.Should().Equal("chat");
        component.Dependencies.Should().Equal("hermes");
    }

    [Fact]
    public void Redefine_with_a_different_component_type_fails_with_1011_and_changes_nothing()
    {
        var component = Component.Register("engram", Definition("memory", ["hermes"]), 2, T0);
        component.AddInstance(Guid.NewGuid(), T0);
        var changed = new ComponentDefinition(
            "Other", "service", "2.0.0", ["other"], ["athena"], "10.0.0.1", 9999, "/other", """{"x":2}""", 20, 60);

        var act = () => component.Redefine(changed, T0.AddMinutes(5));

        var error = act.Should().Throw<TektonException>().Which;
        error.Code.Should().Be(ErrorCode.ComponentAlreadyExists);
        ((int)error.Code).Should().Be(1011);
        error.Details["existing_type"].Should().Be("memory");
        component.ComponentType.Should().Be("memory");
        component.ComponentName.Should().Be("Component");
        component.Version.Should().Be("1.0.0");
        component.Capabilities.Should().Equal("chat");
        component.Dependencies.Should().Equal("hermes");
        component.Host.Should().Be("localhost");
        component.Port.Should().Be(8003);
        component.HealthCheck.Should().Be("/health");
        component.MetadataJson.Should().Be("""{"tier":1}""");
        component.HeartbeatInterval.Should().Be(10);
        component.HeartbeatTimeout.Should().Be(30);
        component.UpdatedAt.Should().Be(T0);
        component.Instances.Should().HaveCount(1);
    }

    [Fact]
    public void Redefine_with_the_same_type_replaces_the_definition_but_keeps_identity_and_instances()
    {
        var component = Component.Register("engram", Definition("memory", ["hermes"]), 2, T0);
        var (instance, _) = component.AddInstance(Guid.NewGuid(), T0);
        var changed = new ComponentDefinition(
            "Engram v2", "memory", "2.1.0-beta.1", ["memory", "search"], ["hermes", "athena"], "10.0.0.1", 9999, null, """{"x":2}""", 5, 15);

        component.Redefine(changed, T0.AddMinutes(5));

        component.ComponentId.Should().Be("engram");
        component.ComponentType.Should().Be("memory");
        component.ComponentName.Should().Be("Engram v2");
        component.Version.Should().Be("2.1.0-beta.1");
        component.Capabilities.Should().Equal("memory", "search");
        component.Dependencies.Should().Equal("hermes", "athena");
        component.Host.Should().Be("10.0.0.1");
        component.Port.Should().Be(9999);
        component.HealthCheck.Should().BeNull();
        component.MetadataJson.Should().Be("""{"x":2}""");
        component.HeartbeatInterval.Should().Be(5);
        component.HeartbeatTimeout.Should().Be(15);
        component.UpdatedAt.Should().Be(T0.AddMinutes(5));
        component.RegisteredAt.Should().Be(T0);
        component.RegistrationSequence.Should().Be(2);
        component.Instances.Should().ContainSingle().Which.Should().BeSameAs(instance);
    }

    [Fact]
    public void AddInstance_returns_a_registered_instance_and_the_change_from_unregistered()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var uuid = Guid.NewGuid();

        var (instance, change) = component.AddInstance(uuid, T0.AddSeconds(7));

        instance.InstanceUuid.Should().Be(uuid);
        instance.ComponentId.Should().Be("hermes");
        instance.Status.Should().Be(ComponentState.Registered);
        instance.IsLive.Should().BeTrue();
        instance.CreatedAt.Should().Be(T0.AddSeconds(7));
        instance.StatusChangedAt.Should().Be(T0.AddSeconds(7));
        instance.ReadyAt.Should().BeNull();
        instance.LastHeartbeat.Should().BeNull();
        component.Instances.Should().ContainSingle().Which.Should().BeSameAs(instance);
        component.FindInstance(uuid).Should().BeSameAs(instance);

        change.ComponentId.Should().Be("hermes");
        change.ComponentType.Should().Be("service");
        change.InstanceUuid.Should().Be(uuid);
        change.PreviousState.Should().BeNull();
        change.PreviousState.ToWire().Should().Be("unregistered");
        change.NewState.Should().Be(ComponentState.Registered);
        change.Timestamp.Should().Be(T0.AddSeconds(7));
        change.Reason.Should().Be("registered");
    }

    [Fact]
    public void AddInstance_with_an_existing_uuid_is_refused()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var uuid = Guid.NewGuid();
        component.AddInstance(uuid, T0);

        var act = () => component.AddInstance(uuid, T0.AddSeconds(1));

        act.Should().Throw<InvalidOperationException>();
        component.Instances.Should().ContainSingle();
    }

    [Fact]
    public void FindInstance_of_an_unknown_uuid_is_null()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        component.AddInstance(Guid.NewGuid(), T0);

        component.FindInstance(Guid.NewGuid()).Should().BeNull();
    }

    [Fact]
    public void Adding_an_instance_keeps_every_live_instance_and_only_the_five_newest_ended_ones()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var instances = Enumerable.Range(0, 12)
            .Select(i => component.AddInstance(Guid.NewGuid(), T0.AddMinutes(i)).Instance)
            .ToList();
        var live = new[] { instances[0], instances[5], instances[11] };
        var ended = instances.Except(live).ToList();
        for (var i = 0; i < ended.Count; i++)
        {
            End(ended[i], failed: i % 2 == 0);
        }

        var (added, _) = component.AddInstance(Guid.NewGuid(), T0.AddHours(1));

        var newestEnded = ended.OrderByDescending(i => i.CreatedAt).Take(Component.EndedInstancesKept);
        component.Instances.Select(i => i.InstanceUuid).Should().BeEquivalentTo(
            live.Append(added).Concat(newestEnded).Select(i => i.InstanceUuid));
        component.Instances.Count(i => !i.IsLive).Should().Be(5);
        component.Instances.Should().Contain(instances[0], "a live instance is never pruned, however old");
    }

    [Fact]
    public void Five_ended_instances_are_all_kept()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        for (var i = 0; i < 5; i++)
        {
            End(component.AddInstance(Guid.NewGuid(), T0.AddMinutes(i)).Instance, failed: false);
        }

        component.AddInstance(Guid.NewGuid(), T0.AddHours(1));

        component.Instances.Should().HaveCount(6);
    }

    [Fact]
    public void CurrentInstance_is_the_newest_live_instance_even_when_a_newer_one_has_ended()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var oldest = component.AddInstance(Guid.NewGuid(), T0).Instance;
        var newestLive = component.AddInstance(Guid.NewGuid(), T0.AddMinutes(1)).Instance;
        var newestOverall = component.AddInstance(Guid.NewGuid(), T0.AddMinutes(2)).Instance;
        oldest.RequestTransition(ComponentState.Ready, "service", T0.AddMinutes(3), null);
        newestLive.RequestTransition(ComponentState.Initializing, "service", T0.AddMinutes(3), null);
        newestOverall.RequestTransition(ComponentState.Failed, "service", T0.AddMinutes(3), "crashed");

        component.CurrentInstance.Should().BeSameAs(newestLive);
        component.Status.Should().Be(ComponentState.Initializing);
    }

    [Fact]
    public void Of_instances_made_at_the_same_time_the_one_added_last_is_current()
    {
        // Two registrations in one commit share its time.
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var first = component.AddInstance(Guid.NewGuid(), T0).Instance;
        var second = component.AddInstance(Guid.NewGuid(), T0).Instance;

        component.CurrentInstance.Should().BeSameAs(second);
        End(second, failed: true);
        component.CurrentInstance.Should().BeSameAs(first, "the live one, though not the one added last");
        End(first, failed: false);
        component.CurrentInstance.Should().BeSameAs(second, "none is live: the one added last");
    }

    [Fact]
    public void CurrentInstance_is_the_newest_instance_when_none_is_live()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var older = component.AddInstance(Guid.NewGuid(), T0).Instance;
        var newer = component.AddInstance(Guid.NewGuid(), T0.AddMinutes(1)).Instance;
        End(newer, failed: true);
        End(older, failed: false);

        component.CurrentInstance.Should().BeSameAs(newer);
        component.Status.Should().Be(ComponentState.Failed);
    }

    [Fact]
    public void CurrentInstance_is_chosen_by_creation_time_not_by_insertion_order()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var newer = component.AddInstance(Guid.NewGuid(), T0.AddMinutes(5)).Instance;
        component.AddInstance(Guid.NewGuid(), T0);

        component.CurrentInstance.Should().BeSameAs(newer);
    }

    [Fact]
    public void CurrentInstance_of_instances_created_at_the_same_time_is_the_one_added_last()
    {
        // A frozen or coarse clock gives two registrations in one group commit the same time.
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        component.AddInstance(Guid.NewGuid(), T0);
        var second = component.AddInstance(Guid.NewGuid(), T0).Instance;

        component.CurrentInstance.Should().BeSameAs(second);
    }

    [Fact]
    public void Status_is_registered_when_there_are_no_instances()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);

        component.Status.Should().Be(ComponentState.Registered);
        component.CurrentInstance.Should().BeNull();
    }

    [Fact]
    public void Status_is_that_of_the_current_instance()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var instance = component.AddInstance(Guid.NewGuid(), T0).Instance;
        instance.RequestTransition(ComponentState.Ready, "service", T0.AddSeconds(1), null);
        instance.RequestTransition(ComponentState.Degraded, "service", T0.AddSeconds(2), "heartbeat_missed");

        component.Status.Should().Be(ComponentState.Degraded);
    }

    [Fact]
    public void Deregistered_records_the_current_state_going_to_unregistered()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);
        var instance = component.AddInstance(Guid.NewGuid(), T0).Instance;
        instance.RequestTransition(ComponentState.Ready, "service", T0.AddSeconds(1), null);

        var change = component.Deregistered(T0.AddMinutes(1));

        change.ComponentId.Should().Be("hermes");
        change.ComponentType.Should().Be("service");
        change.InstanceUuid.Should().Be(instance.InstanceUuid);
        change.PreviousState.Should().Be(ComponentState.Ready);
        change.NewState.Should().BeNull();
        change.NewState.ToWire().Should().Be("unregistered");
        change.Timestamp.Should().Be(T0.AddMinutes(1));
        change.Reason.Should().Be("deregistered");
    }

    [Fact]
    public void Deregistered_without_instances_names_no_instance()
    {
        var component = Component.Register("hermes", Definition("service"), 1, T0);

        var change = component.Deregistered(T0);

        change.InstanceUuid.Should().BeNull();
        change.PreviousState.Should().Be(ComponentState.Registered);
        change.NewState.Should().BeNull();
    }

    private static void End(ComponentInstance instance, bool failed)
    {
        if (failed)
        {
            instance.RequestTransition(ComponentState.Failed, "service", instance.CreatedAt.AddSeconds(1), "crashed");
        }
        else
        {
            instance.RequestTransition(ComponentState.Stopping, "service", instance.CreatedAt.AddSeconds(1), null);
            instance.RequestTransition(ComponentState.Stopped, "service", instance.CreatedAt.AddSeconds(2), null);
        }
    }

    private static ComponentDefinition Definition(string type, IReadOnlyList<string>? dependencies = null) =>
        new("Component", type, "1.0.0", ["chat"], dependencies ?? [], "localhost", 8003, "/health", """{"tier":1}""", 10, 30);
}
