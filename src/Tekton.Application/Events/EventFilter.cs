using System.Collections.Frozen;

namespace Tekton.Application.Events;

/// <summary>One subscription of a connection: which events of its channel it wants.</summary>
public abstract record EventFilter
{
    public const string All = "all";

    public abstract EventChannel Channel { get; }

    public abstract bool Matches(TektonEvent e);
}

/// <summary>Heartbeats of one component, or of all (<c>component_id: "all"</c>).</summary>
public sealed record HeartbeatFilter(string ComponentId) : EventFilter
{
    public override EventChannel Channel => EventChannel.Heartbeat;

    public override bool Matches(TektonEvent e) =>
        e is HeartbeatEvent && (ComponentId == All || string.Equals(ComponentId, e.ComponentId, StringComparison.Ordinal));
}

/// <summary>
/// State changes of components whose type is one of <see cref="ComponentTypes"/> (or any, when it holds
/// "all"), and, when <see cref="ComponentIds"/> is given, whose id is one of those too.
/// </summary>
public sealed record StateFilter : EventFilter
{
    public StateFilter(IEnumerable<string> componentTypes, IEnumerable<string>? componentIds)
    {
        ComponentTypes = componentTypes.ToFrozenSet(StringComparer.Ordinal);
        ComponentIds = componentIds?.ToFrozenSet(StringComparer.Ordinal);
        AnyType = ComponentTypes.Contains(All);
    }

    public FrozenSet<string> ComponentTypes { get; }

    public FrozenSet<string>? ComponentIds { get; }

    private bool AnyType { get; }

    public override EventChannel Channel => EventChannel.State;

    public override bool Matches(TektonEvent e) =>
        e is StateChangeEvent change
        && (AnyType || ComponentTypes.Contains(change.ComponentType))
        && (ComponentIds is null || ComponentIds.Contains(change.ComponentId));

    /// <summary>Same types and same ids, in any order: what an unsubscribe names.</summary>
    public bool SameAs(StateFilter other) =>
        ComponentTypes.SetEquals(other.ComponentTypes)
        && (ComponentIds is null ? other.ComponentIds is null : other.ComponentIds is not null && ComponentIds.SetEquals(other.ComponentIds));
}
