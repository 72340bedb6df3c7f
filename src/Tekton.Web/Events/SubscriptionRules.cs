using Tekton.Application.Common;
using Tekton.Application.Events;

namespace Tekton.Web.Events;

/// <summary>What a subscription may name, checked the same way for the sockets and the hub.</summary>
public static class SubscriptionRules
{
    public const int MaxIdLength = 64;
    public const int MaxListLength = 1000;

    /// <summary>The filter for <c>component_id</c>, or why there is none.</summary>
    public static (HeartbeatFilter? Filter, string? Error) Heartbeats(string? componentId) =>
        componentId switch
        {
            null => (null, "component_id is required: \"all\" or a component id."),
            EventFilter.All => (new HeartbeatFilter(EventFilter.All), null),
            _ when IsComponentId(componentId) => (new HeartbeatFilter(componentId), null),
            _ => (null, $"component_id must be \"all\" or a component id (1-{MaxIdLength} characters matching {Wire.ComponentIdPattern})."),
        };

    /// <summary>The filter for <c>component_types</c> and <c>component_ids</c>, or why there is none.</summary>
    public static (StateFilter? Filter, string? Error) States(IReadOnlyList<string>? componentTypes, IReadOnlyList<string>? componentIds)
    {
        if (componentTypes is null || componentTypes.Count == 0)
        {
            return (null, "component_types is required: [\"all\"] or a list of component types.");
        }

        if (componentTypes.Count > MaxListLength || componentTypes.Any(t => t is null || (t != EventFilter.All && !Wire.ComponentType().IsMatch(t))))
        {
            return (null, $"component_types must hold \"all\" or component types matching {Wire.ComponentTypePattern}, at most {MaxListLength}.");
        }

        if (componentIds is not null && (componentIds.Count > MaxListLength || componentIds.Any(id => id is null || !IsComponentId(id))))
        {
            return (null, $"component_ids must hold component ids (1-{MaxIdLength} characters matching {Wire.ComponentIdPattern}), at most {MaxListLength}.");
        }

        return (new StateFilter(componentTypes, componentIds), null);
    }

    public static string? Since(long? since) =>
        since is < 0 ? "since_sequence must be 0 or more." : null;

    private static bool IsComponentId(string id) => id.Length <= MaxIdLength && Wire.ComponentId().IsMatch(id);
}
