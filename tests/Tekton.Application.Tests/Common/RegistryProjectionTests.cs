using Tekton.Application.Common;
using Tekton.Domain.Components;
using static Tekton.Application.Tests.Common.TestComponents;

namespace Tekton.Application.Tests.Common;

public sealed class RegistryProjectionTests
{
    private readonly Registry _registry = new();
    private readonly RegistryProjection _projection = new();

    [Fact]
    public void A_new_projection_is_empty_at_version_zero()
    {
        _projection.Current.Count.Should().Be(0);
        _projection.Current.Version.Should().Be(0);
        _projection.Current.InRegistrationOrder.Should().BeEmpty();
        _projection.Current.Find("hermes").Should().BeNull();
    }

    [Fact]
    public void Snapshots_list_components_by_registration_sequence()
    {
        _registry.Add(Component.Register("mid", Definition(), 5, T0));
        _registry.Add(Component.Register("zeta", Definition(), 2, T0));
        _registry.Add(Component.Register("alpha", Definition(), 9, T0));
        _registry.Add(Component.Register("omega", Definition(), 1, T0));

        _projection.Publish(_registry, ["mid", "zeta", "alpha", "omega"]);

        _projection.Current.InRegistrationOrder.Select(c => c.ComponentId).Should().Equal("omega", "zeta", "mid", "alpha");
        _projection.Current.Count.Should().Be(4);
    }

    [Fact]
    public void A_commit_searches_the_components_it_registered_for_cycles_together()
    {
        // b and c are registered out of order: each names the one before it, and a names c, closing a -> c -> b -> a.
        _registry.Add(Component.Register("b", Definition(dependencies: ["a"]), 1, T0));
        _registry.Add(Component.Register("c", Definition(dependencies: ["b"]), 2, T0));
        _registry.Add(Component.Register("d", Definition(dependencies: ["c"]), 3, T0));
        _projection.Publish(_registry, ["b", "c", "d"]);

        _projection.Current.IsKnownOffCycles("b").Should().BeTrue("c depends on b, and nothing leads back to it (a is not registered)");
        _projection.Current.IsKnownOffCycles("c").Should().BeTrue();
        _projection.Current.IsKnownOffCycles("d").Should().BeTrue("nothing depends on d, so no cycle goes through it");
        _registry.Add(Component.Register("a", Definition(dependencies: ["c"]), 4, T0));
        _registry.Add(Component.Register("x", Definition(dependencies: ["d"]), 5, T0));
        _registry.Add(Component.Register("w", Definition(dependencies: ["y"]), 6, T0));
        _registry.Add(Component.Register("y", Definition(dependencies: ["z"]), 7, T0));
        _projection.Publish(_registry, ["a", "x", "w", "y"]);

        var snapshot = _projection.Current;
        snapshot.IsKnownOffCycles("a").Should().BeFalse("a is on a -> c -> b -> a");
        snapshot.IsKnownOffCycles("y").Should().BeTrue("w depends on y, and nothing leads back, though the same commit closed a cycle elsewhere");
        snapshot.IsKnownOffCycles("x").Should().BeFalse("x depends, through d, on the cycle this commit closed: the joint search leaves it to its registration's own");
        snapshot.IsKnownOffCycles("b").Should().BeFalse("b was known to be on no cycle until a closed the cycle through it");

        _registry.Find("w")!.Redefine(Definition(dependencies: ["y", "d"]), T0.AddMinutes(1));
        _registry.Find("y")!.Redefine(Definition(dependencies: ["z"]), T0.AddMinutes(1));
        _projection.Publish(_registry, ["w", "y"]);
        _projection.Current.IsKnownOffCycles("y").Should().BeTrue("what was found about y holds: nothing since depends on w, the only new edges' source");
        _projection.Current.IsKnownOffCycles("a").Should().BeFalse();
    }

    [Fact]
    public void What_a_commit_found_holds_until_a_later_commit_walks_over_it()
    {
        // p needs q (missing), r needs p: p has a dependent and is on no cycle.
        _registry.Add(Component.Register("p", Definition(dependencies: ["q"]), 1, T0));
        _registry.Add(Component.Register("r", Definition(dependencies: ["p"]), 2, T0));
        _projection.Publish(_registry, ["p", "r"]);
        _projection.Current.IsKnownOffCycles("p").Should().BeTrue();

        // Commits that register something elsewhere keep it known (each is a search of its own).
        _registry.Add(Component.Register("lone", Definition(dependencies: ["elsewhere"]), 3, T0));
        _projection.Publish(_registry, ["lone"]);
        _projection.Current.IsKnownOffCycles("lone").Should().BeTrue("nothing depends on lone");
        for (var i = 0; i < CycleKnowledge.Depth - 2; i++)
        {
            _registry.Add(Component.Register($"e{i}", Definition(dependencies: ["elsewhere"]), 10 + i, T0));
            _registry.Add(Component.Register($"d{i}", Definition(dependencies: [$"e{i}"]), 30 + i, T0));
            _projection.Publish(_registry, [$"e{i}", $"d{i}"]);
        }

        _projection.Current.IsKnownOffCycles("p").Should().BeTrue("no later search walked over p");
        var before = _projection.Current;

        // q arrives needing r: p -> q -> r -> p.
        _registry.Add(Component.Register("q", Definition(dependencies: ["r"]), 50, T0));
        _projection.Publish(_registry, ["q"]);

        _projection.Current.IsKnownOffCycles("p").Should().BeFalse("q's search walked over p and found the cycle");
        _projection.Current.IsKnownOffCycles("q").Should().BeFalse();
        before.IsKnownOffCycles("p").Should().BeTrue("an older snapshot keeps what was known then");

        // One more search pushes p's out of the kept ones.
        _registry.Add(Component.Register("f", Definition(dependencies: ["elsewhere"]), 60, T0));
        _registry.Add(Component.Register("g", Definition(dependencies: ["f"]), 61, T0));
        _projection.Publish(_registry, ["f", "g"]);
        before.IsKnownOffCycles("lone").Should().BeTrue();
        _projection.Current.IsKnownOffCycles("lone").Should().BeFalse($"only the last {CycleKnowledge.Depth} searches are kept");
        _projection.Current.IsKnownOffCycles("e0").Should().BeTrue();
        _projection.Current.IsKnownOffCycles("f").Should().BeTrue();

        _projection.Reset(_registry.All);
        _projection.Current.IsKnownOffCycles("f").Should().BeFalse("a reset starts from nothing known");
    }

    [Fact]
    public void Dependents_follow_registrations_redefinitions_and_removals()
    {
        _registry.Add(Component.Register("hermes", Definition(), 1, T0));
        _registry.Add(Component.Register("engram", Definition(dependencies: ["hermes"]), 2, T0));
        _registry.Add(Component.Register("rhetor", Definition(dependencies: ["hermes", "missing"]), 3, T0));
        _projection.Publish(_registry, ["hermes", "engram", "rhetor"]);

        _projection.Current.DependentsOf("hermes").Should().BeEquivalentTo(["engram", "rhetor"]);
        _projection.Current.DependentsOf("missing").Should().BeEquivalentTo(["rhetor"], "a dependency that is not registered still has dependents");
        _projection.Current.DependentsOf("engram").Should().BeEmpty();

        _registry.Find("rhetor")!.Redefine(Definition(dependencies: ["engram"]), T0.AddMinutes(1));
        _registry.Remove("engram");
        _projection.Publish(_registry, ["rhetor", "engram"]);

        _projection.Current.DependentsOf("hermes").Should().BeEmpty();
        _projection.Current.DependentsOf("missing").Should().BeEmpty();
        _projection.Current.DependentsOf("engram").Should().BeEquivalentTo(["rhetor"]);
        _projection.Current.DependentsById.Keys.Should().BeEquivalentTo(["engram"], "ids nothing depends on any more are dropped");

        _projection.Reset(_registry.All);
        _projection.Current.DependentsOf("engram").Should().BeEquivalentTo(["rhetor"]);
    }

    [Fact]
    public void Only_components_that_left_registered_or_have_a_process_are_attended()
    {
        Register(_registry, "idle", Definition());
        Register(_registry, "never-ran", Definition(), state: null);
        Register(_registry, "ready", Definition(), ComponentState.Ready);
        Register(_registry, "failed", Definition(), ComponentState.Failed);
        Register(_registry, "stopped", Definition(), ComponentState.Stopped);
        var launched = Register(_registry, "launched", Definition());
        launched.CurrentInstance!.Launched(4242, 1, restart: false, "service", T0.AddSeconds(1));
        _projection.Publish(_registry, ["idle", "never-ran", "ready", "failed", "stopped", "launched"]);

        _projection.Current.Attended.Keys.Should().BeEquivalentTo(["ready", "failed", "launched"]);
        _projection.Current.Attended["ready"].Should().BeSameAs(_projection.Current.Find("ready"), "the attended view is the published one");

        WalkTo(_registry.Find("idle")!.CurrentInstance!, "service", ComponentState.Ready);
        WalkTo(_registry.Find("ready")!.CurrentInstance!, "service", ComponentState.Stopped);
        _registry.Remove("failed");
        _projection.Publish(_registry, ["idle", "ready", "failed"]);

        _projection.Current.Attended.Keys.Should().BeEquivalentTo(["idle", "launched"]);
        _projection.Current.Attended["idle"].Should().BeSameAs(_projection.Current.Find("idle"));

        _projection.Reset(_registry.All);
        _projection.Current.Attended.Keys.Should().BeEquivalentTo(["idle", "launched"]);
    }

    [Fact]
    public void A_published_view_carries_the_content_of_the_domain_object()
    {
        var component = Register(
            _registry, "rhetor", Definition("llm", ["chat", "summarize"], ["hermes", "engram"], """{"tier":1,"tags":["a"]}"""), ComponentState.Ready);
        var ended = component.AddInstance(Guid.NewGuid(), T0.AddMinutes(1)).Instance;
        WalkTo(ended, "llm", ComponentState.Failed);
        var newest = component.AddInstance(Guid.NewGuid(), T0.AddMinutes(2)).Instance;
        WalkTo(newest, "llm", ComponentState.Degraded);
        newest.RecordHeartbeat(T0.AddMinutes(3), null);

        _projection.Publish(_registry, ["rhetor"]);
        var view = _projection.Current.Find("rhetor");

        view.Should().NotBeNull();
        view!.ComponentId.Should().Be(component.ComponentId);
        view.ComponentName.Should().Be(component.ComponentName);
        view.ComponentType.Should().Be(component.ComponentType);
        view.Version.Should().Be(component.Version);
        view.Capabilities.Should().Equal(component.Capabilities);
        view.Dependencies.Should().Equal(component.Dependencies);
        view.Host.Should().Be(component.Host);
        view.Port.Should().Be(component.Port);
        view.HealthCheck.Should().Be(component.HealthCheck);
        view.Metadata.GetRawText().Should().Be(component.MetadataJson);
        view.Metadata.GetProperty("tier").GetInt32().Should().Be(1);
        view.HeartbeatInterval.Should().Be(component.HeartbeatInterval);
        view.HeartbeatTimeout.Should().Be(component.HeartbeatTimeout);
        view.RegistrationSequence.Should().Be(component.RegistrationSequence);
        view.RegisteredAt.Should().Be(component.RegisteredAt);
        view.UpdatedAt.Should().Be(component.UpdatedAt);
        view.Instances.Should().HaveCount(component.Instances.Count);
        foreach (var instance in component.Instances)
        {
            var instanceView = view.FindInstance(instance.InstanceUuid);
            instanceView.Should().NotBeNull();
            instanceView!.Status.Should().Be(instance.Status);
            instanceView.CreatedAt.Should().Be(instance.CreatedAt);
            instanceView.StatusChangedAt.Should().Be(instance.StatusChangedAt);
            instanceView.StatusReason.Should().Be(instance.StatusReason);
            instanceView.ReadyAt.Should().Be(instance.ReadyAt);
            instanceView.LastHeartbeat.Should().Be(instance.LastHeartbeat);
        }

        view.Current.Should().NotBeNull();
        view.Current!.InstanceUuid.Should().Be(component.CurrentInstance!.InstanceUuid).And.Be(newest.InstanceUuid);
        view.Current.Should().BeSameAs(view.FindInstance(newest.InstanceUuid));
        view.Status.Should().Be(component.Status).And.Be(ComponentState.Degraded);
    }

    [Fact]
    public void A_component_without_instances_is_published_as_registered_with_no_current_instance()
    {
        Register(_registry, "hermes", Definition(), state: null);

        _projection.Publish(_registry, ["hermes"]);

        var view = _projection.Current.Find("hermes")!;
        view.Instances.Should().BeEmpty();
        view.Current.Should().BeNull();
        view.Status.Should().Be(ComponentState.Registered);
    }

    [Fact]
    public void Every_publish_increases_the_version()
    {
        Register(_registry, "hermes", Definition());
        var versions = new List<long> { _projection.Current.Version };

        _projection.Publish(_registry, ["hermes"]);
        versions.Add(_projection.Current.Version);
        _projection.Publish(_registry, []);
        versions.Add(_projection.Current.Version);
        _projection.Reset(_registry.All);
        versions.Add(_projection.Current.Version);
        _projection.Publish(_registry, ["hermes"]);
        versions.Add(_projection.Current.Version);

        versions.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void Publishing_the_id_of_a_removed_component_removes_it()
    {
        Register(_registry, "hermes", Definition());
        Register(_registry, "engram", Definition("memory"));
        _projection.Publish(_registry, ["hermes", "engram"]);

        _registry.Remove("hermes");
        _projection.Publish(_registry, ["hermes"]);

        _projection.Current.Find("hermes").Should().BeNull();
        _projection.Current.Find("engram").Should().NotBeNull();
        _projection.Current.Count.Should().Be(1);
        _projection.Current.InRegistrationOrder.Select(c => c.ComponentId).Should().Equal("engram");
    }

    [Fact]
    public void Only_the_published_ids_are_projected_again()
    {
        var hermes = Register(_registry, "hermes", Definition());
        var engram = Register(_registry, "engram", Definition("memory"));
        _projection.Publish(_registry, ["hermes", "engram"]);

        WalkTo(hermes.Instances[0], "service", ComponentState.Ready);
        WalkTo(engram.Instances[0], "memory", ComponentState.Ready);
        _projection.Publish(_registry, ["engram"]);

        _projection.Current.Find("engram")!.Status.Should().Be(ComponentState.Ready);
        _projection.Current.Find("hermes")!.Status.Should().Be(ComponentState.Registered, "hermes was not published again");
    }

    [Fact]
    public void A_view_is_a_copy_that_later_domain_changes_do_not_reach()
    {
        var component = Register(_registry, "hermes", Definition("service", ["messaging"]));
        _projection.Publish(_registry, ["hermes"]);
        var view = _projection.Current.Find("hermes")!;

        WalkTo(component.Instances[0], "service", ComponentState.Ready);
        component.AddInstance(Guid.NewGuid(), T0.AddMinutes(1));
        component.Redefine(Definition("service", ["changed"]), T0.AddMinutes(1));

        view.Status.Should().Be(ComponentState.Registered);
        view.Instances.Should().ContainSingle();
        view.Capabilities.Should().Equal("messaging");
        view.UpdatedAt.Should().Be(T0);
    }

    [Fact]
    public void An_old_snapshot_is_not_changed_by_a_later_publish()
    {
        var hermes = Register(_registry, "hermes", Definition("service", ["messaging"]));
        Register(_registry, "engram", Definition("memory", dependencies: ["hermes"]));
        _projection.Publish(_registry, ["hermes", "engram"]);
        var old = _projection.Current;
        var oldHermes = old.Find("hermes");
        _ = old.Dependencies;

        WalkTo(hermes.Instances[0], "service", ComponentState.Ready);
        hermes.Redefine(Definition("service", ["changed"], ["athena"]), T0.AddMinutes(1));
        _registry.Remove("engram");
        Register(_registry, "athena", Definition("memory"));
        _projection.Publish(_registry, ["hermes", "engram", "athena"]);

        old.Should().NotBeSameAs(_projection.Current);
        old.Version.Should().Be(1);
        old.Count.Should().Be(2);
        old.Find("hermes").Should().BeSameAs(oldHermes);
        old.Find("hermes")!.Status.Should().Be(ComponentState.Registered);
        old.Find("hermes")!.Capabilities.Should().Equal("messaging");
        old.Find("engram").Should().NotBeNull();
        old.Find("athena").Should().BeNull();
        old.InRegistrationOrder.Select(c => c.ComponentId).Should().Equal("hermes", "engram");
        old.Dependencies.StartupOrder.Should().Equal("hermes", "engram");

        var current = _projection.Current;
        current.Version.Should().Be(2);
        current.Find("hermes")!.Status.Should().Be(ComponentState.Ready);
        current.Find("hermes")!.Capabilities.Should().Equal("changed");
        current.Find("engram").Should().BeNull();
        current.InRegistrationOrder.Select(c => c.ComponentId).Should().Equal("hermes", "athena");
        current.Dependencies.StartupOrder.Should().Equal("athena", "hermes");
    }

    [Fact]
    public void Reset_replaces_the_whole_projection()
    {
        Register(_registry, "hermes", Definition());
        _projection.Publish(_registry, ["hermes"]);
        var other = new Registry();
        Register(other, "engram", Definition("memory"));
        Register(other, "rhetor", Definition("llm"));

        _projection.Reset(other.All);

        _projection.Current.Find("hermes").Should().BeNull();
        _projection.Current.InRegistrationOrder.Select(c => c.ComponentId).Should().Equal("engram", "rhetor");
    }

    [Fact]
    public void The_snapshot_analyzes_dependencies_in_registration_order()
    {
        Register(_registry, "hermes", Definition());
        Register(_registry, "engram", Definition("memory", dependencies: ["hermes"]));
        Register(_registry, "rhetor", Definition("llm", dependencies: ["hermes", "engram"]));
        Register(_registry, "athena", Definition("memory", dependencies: ["hermes", "engram"]));
        Register(_registry, "ergon", Definition("agent", dependencies: ["hermes", "rhetor"]));
        Register(_registry, "api_gateway", Definition("gateway", dependencies: ["hermes", "engram", "rhetor"]));

        _projection.Publish(_registry, ["api_gateway", "ergon", "athena", "rhetor", "engram", "hermes"]);

        _projection.Current.Dependencies.StartupOrder.Should().Equal("hermes", "engram", "rhetor", "athena", "ergon", "api_gateway");
        _projection.Current.Dependencies.DependentsOf("rhetor").Should().Equal("ergon", "api_gateway");
    }

    [Fact]
    public void Published_components_share_one_copy_of_the_strings_they_have_in_common()
    {
        // Copies made at run time, as a request body or a database row would bring them.
        static string Copy(string value) => new(value.AsSpan());
        ComponentDefinition Fresh(string[] dependencies) => new(
            Copy("Bench"), Copy("service"), Copy("1.0.0"), [Copy("vector_search"), Copy("indexing")], [.. dependencies.Select(Copy)],
            Copy("localhost"), 8000, Copy("/api/health"), """{"tier":1}""", 10, 30);
        var hermes = Component.Register(Copy("hermes"), Fresh([]), _registry.NextRegistrationSequence(), T0);
        _registry.Add(hermes);
        var engram = Component.Register(Copy("engram"), Fresh(["hermes"]), _registry.NextRegistrationSequence(), T0);
        _registry.Add(engram);
        engram.AddInstance(Guid.NewGuid(), T0);

        _projection.Publish(_registry, ["hermes", "engram"]);

        var first = _projection.Current.Find("hermes")!;
        var second = _projection.Current.Find("engram")!;
        second.ComponentType.Should().BeSameAs(first.ComponentType).And.Be("service");
        second.Version.Should().BeSameAs(first.Version).And.Be("1.0.0");
        second.Host.Should().BeSameAs(first.Host).And.Be("localhost");
        second.HealthCheck.Should().BeSameAs(first.HealthCheck).And.Be("/api/health");
        second.Capabilities[0].Should().BeSameAs(first.Capabilities[0]);
        second.Capabilities.Should().Equal("vector_search", "indexing");
        second.Dependencies.Should().Equal("hermes");
        second.Dependencies[0].Should().BeSameAs(first.ComponentId, "a dependency's id is the string of the component it names");
        engram.ComponentType.Should().BeSameAs(second.ComponentType, "the working set and the views hold the same copy");
        engram.Instances[0].ComponentId.Should().BeSameAs(engram.ComponentId);
        second.Metadata.GetProperty("tier").GetInt32().Should().Be(1);
    }

    [Fact]
    public void Reset_shares_dependency_ids_with_the_components_they_name_in_any_order()
    {
        var engram = Component.Register("engram", Definition("memory", dependencies: [new string("hermes".AsSpan())]), 1, T0);
        var hermes = Component.Register(new string("hermes".AsSpan()), Definition(), 2, T0);

        _projection.Reset([engram, hermes]);

        _projection.Current.Find("engram")!.Dependencies[0].Should().BeSameAs(hermes.ComponentId);
    }

    [Fact]
    public void The_shared_strings_are_bounded()
    {
        var strings = new SharedStrings();
        var first = strings.Share(new string("service".AsSpan()));

        strings.Share(new string("service".AsSpan())).Should().BeSameAs(first);
        for (var i = 0; i < SharedStrings.Capacity * 2; i++)
        {
            strings.Share($"host-{i}");
        }

        strings.Count.Should().BeLessThanOrEqualTo(SharedStrings.Capacity);
        strings.Share("service").Should().Be("service");
    }
}
