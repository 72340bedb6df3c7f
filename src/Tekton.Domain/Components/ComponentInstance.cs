using Tekton.Domain.Errors;

namespace Tekton.Domain.Components;

/// <summary>One running (or once running) copy of a component; every registration creates one.</summary>
public sealed class ComponentInstance
{
    private ComponentInstance()
    {
        ComponentId = string.Empty;
    }

    internal ComponentInstance(string componentId, Guid instanceUuid, DateTimeOffset createdAt)
    {
        ComponentId = componentId;
        InstanceUuid = instanceUuid;
        Status = ComponentState.Registered;
        CreatedAt = createdAt;
        StatusChangedAt = createdAt;
    }

    public Guid InstanceUuid { get; private set; }

    public string ComponentId { get; private set; }

    public ComponentState Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset StatusChangedAt { get; private set; }

    /// <summary>Why the instance entered its current state, when something other than the component said so.</summary>
    public string? StatusReason { get; private set; }

    /// <summary>When the instance last became ready: the reference's <c>startup_time</c>.</summary>
    public DateTimeOffset? ReadyAt { get; private set; }

    /// <summary>The last heartbeat that was written behind; the live value is kept in memory.</summary>
    public DateTimeOffset? LastHeartbeat { get; private set; }

    /// <summary>The health map of the last heartbeat that was written behind, as a JSON object; <c>null</c> if none reported one.</summary>
    public string? ReportedHealthJson { get; private set; }

    public bool IsLive => Status.IsLive();

    /// <summary>
    /// Applies a transition that a client requested (design §6.1). Requesting the current state is an
    /// idempotent success and returns <c>null</c>; a transition outside the table is error 1012.
    /// </summary>
    public StateChange? RequestTransition(ComponentState to, string componentType, DateTimeOffset at, string? reason)
    {
        if (to == Status)
        {
            return null;
        }

        if (!StateTransitions.IsAllowed(Status, to))
        {
            throw new TektonException(
                ErrorCode.InvalidStateTransition,
                $"Instance '{InstanceUuid}' of '{ComponentId}' cannot go from '{Status.ToWire()}' to '{to.ToWire()}'.",
                new Dictionary<string, object?>
                {
                    ["current_state"] = Status.ToWire(),
                    ["requested_state"] = to.ToWire(),
                    ["allowed_states"] = StateTransitions.Allowed[Status].Select(s => s.ToWire()).Order(StringComparer.Ordinal).ToArray(),
                });
        }

        return Enter(to, componentType, at, reason);
    }

    public void RecordHeartbeat(DateTimeOffset at, string? reportedHealthJson)
    {
        if (LastHeartbeat is null || at > LastHeartbeat)
        {
            LastHeartbeat = at;
            ReportedHealthJson = reportedHealthJson ?? ReportedHealthJson;
        }
    }

    private StateChange Enter(ComponentState to, string componentType, DateTimeOffset at, string? reason)
    {
        var previous = Status;
        Status = to;
        StatusChangedAt = at;
        StatusReason = reason;
        if (to == ComponentState.Ready && previous != ComponentState.Degraded)
        {
            ReadyAt = at;
        }

        return new StateChange(ComponentId, componentType, InstanceUuid, previous, to, at, reason);
    }
}
