using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Tests.Common;

/// <summary>Builds domain components for tests the way the registry's writer does.</summary>
internal static class TestComponents
{
    public static readonly DateTimeOffset T0 = new(2025, 4, 30, 15, 0, 0, TimeSpan.Zero);

    public static ComponentDefinition Definition(
        string type = "service", string[]? capabilities = null, string[]? dependencies = null, string metadataJson = "{}") =>
        new($"{type} component", type, "1.0.0", capabilities ?? [], dependencies ?? [], "localhost", 8000, "/health", metadataJson, 10, 30);

    /// <summary>Registers a component in the registry with one instance, walked into <paramref name="state"/>.</summary>
    public static Component Register(
        Registry registry, string id, ComponentDefinition definition, ComponentState? state = ComponentState.Registered)
    {
        var component = Component.Register(id, definition, registry.NextRegistrationSequence(), T0);
        registry.Add(component);
        if (state is { } target)
        {
            var instance = component.AddInstance(Guid.NewGuid(), T0).Instance;
            WalkTo(instance, definition.ComponentType, target);
        }

        return component;
    }

    public static void WalkTo(ComponentInstance instance, string type, ComponentState state)
    {
        ComponentState[] path = state switch
        {
            ComponentState.Registered => [],
            ComponentState.Degraded => [ComponentState.Ready, ComponentState.Degraded],
            ComponentState.Stopped => [ComponentState.Stopping, ComponentState.Stopped],
            _ => [state],
        };
        var at = instance.CreatedAt;
        foreach (var step in path)
        {
            at = at.AddSeconds(1);
            instance.RequestTransition(step, type, at, "test");
        }
    }
}
