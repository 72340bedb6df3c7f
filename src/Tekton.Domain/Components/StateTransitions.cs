using System.Collections.Frozen;

namespace Tekton.Domain.Components;

/// <summary>
/// The transitions a client may request for an instance (design §6.1), kept as data so that the table
/// itself can be read, documented and tested exhaustively.
/// </summary>
public static class StateTransitions
{
    public static readonly FrozenDictionary<ComponentState, FrozenSet<ComponentState>> Allowed =
        new Dictionary<ComponentState, FrozenSet<ComponentState>>
        {
            [ComponentState.Registered] = Set(ComponentState.Initializing, ComponentState.Ready, ComponentState.Stopping, ComponentState.Failed),
            [ComponentState.Initializing] = Set(ComponentState.Ready, ComponentState.Failed, ComponentState.Stopping),
            [ComponentState.Ready] = Set(ComponentState.Degraded, ComponentState.Stopping, ComponentState.Failed),
            [ComponentState.Degraded] = Set(ComponentState.Ready, ComponentState.Stopping, ComponentState.Failed),
            [ComponentState.Stopping] = Set(ComponentState.Stopped, ComponentState.Failed),
            [ComponentState.Stopped] = Set(ComponentState.Initializing, ComponentState.Ready),
            [ComponentState.Failed] = Set(ComponentState.Initializing, ComponentState.Stopping, ComponentState.Stopped),
        }.ToFrozenDictionary();

    public static bool IsAllowed(ComponentState from, ComponentState to) => Allowed[from].Contains(to);

    private static FrozenSet<ComponentState> Set(params ComponentState[] states) => states.ToFrozenSet();
}
