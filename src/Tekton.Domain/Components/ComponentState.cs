namespace Tekton.Domain.Components;

/// <summary>The lifecycle state of a component instance (design §6.1).</summary>
public enum ComponentState
{
    Registered,
    Initializing,
    Ready,
    Degraded,
    Stopping,
    Stopped,
    Failed,
}

public static class ComponentStates
{
    /// <summary>The wire name used for "no such component" in state-change events.</summary>
    public const string Unregistered = "unregistered";

    /// <summary>The lowercase wire name of a state.</summary>
    public static string ToWire(this ComponentState state) => state switch
    {
        ComponentState.Registered => "registered",
        ComponentState.Initializing => "initializing",
        ComponentState.Ready => "ready",
        ComponentState.Degraded => "degraded",
        ComponentState.Stopping => "stopping",
        ComponentState.Stopped => "stopped",
        ComponentState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string ToWire(this ComponentState? state) => state?.ToWire() ?? Unregistered;

    public static bool TryParse(string? value, out ComponentState state)
    {
        // A switch on the wire names: Enum.GetValues allocates an array on every call, and heartbeats parse a state.
        ComponentState? parsed = value switch
        {
            "registered" => ComponentState.Registered,
            "initializing" => ComponentState.Initializing,
            "ready" => ComponentState.Ready,
            "degraded" => ComponentState.Degraded,
            "stopping" => ComponentState.Stopping,
            "stopped" => ComponentState.Stopped,
            "failed" => ComponentState.Failed,
            _ => null,
        };
        state = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>An instance is live while it may still serve: not stopped and not failed.</summary>
    public static bool IsLive(this ComponentState state) =>
        state is not (ComponentState.Stopped or ComponentState.Failed);

    /// <summary>A dependency in one of these states satisfies its dependents (design §7).</summary>
    public static bool SatisfiesDependents(this ComponentState state) =>
        state is ComponentState.Ready or ComponentState.Degraded;
}
