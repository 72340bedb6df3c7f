namespace Tekton.Domain.Components;

/// <summary>
/// One recorded transition of a component: an instance changing state, or the component being registered or
/// deregistered (then the missing side is <c>null</c>, written as "unregistered" on the wire).
/// </summary>
public sealed class StateChange
{
    private StateChange()
    {
        ComponentId = string.Empty;
        ComponentType = string.Empty;
    }

    public StateChange(
        string componentId,
        string componentType,
        Guid? instanceUuid,
        ComponentState? previousState,
        ComponentState? newState,
        DateTimeOffset timestamp,
        string? reason)
    {
        ComponentId = componentId;
        ComponentType = componentType;
        InstanceUuid = instanceUuid;
        PreviousState = previousState;
        NewState = newState;
        Timestamp = timestamp;
        Reason = reason;
    }

    /// <summary>Assigned by the database; orders every recorded transition.</summary>
    public long Id { get; private set; }

    /// <summary>
    /// The change's place in the event stream (design §10): assigned before it is saved, from the same
    /// monotonic counter as every other event, so that subscribers can resume after it, even across restarts.
    /// </summary>
    public long Sequence { get; private set; }

    public string ComponentId { get; private set; }

    public string ComponentType { get; private set; }

    public Guid? InstanceUuid { get; private set; }

    public ComponentState? PreviousState { get; private set; }

    public ComponentState? NewState { get; private set; }

    public DateTimeOffset Timestamp { get; private set; }

    public string? Reason { get; private set; }

    /// <summary>The exit code, when the change was caused by a process ending.</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>How often the instance had been restarted when the change happened.</summary>
    public int? RestartCount { get; internal set; }

    /// <summary>Gives the change its place in the event stream; done once, when it is recorded.</summary>
    public void Sequenced(long sequence)
    {
        if (Sequence != 0)
        {
            throw new InvalidOperationException($"State change already has sequence {Sequence}.");
        }

        Sequence = sequence;
    }

    /// <summary>Takes the id the database assigned, where the row was inserted without the change tracker.</summary>
    public void Stored(long id)
    {
        if (Id != 0)
        {
            throw new InvalidOperationException($"State change already has id {Id}.");
        }

        Id = id;
    }

    /// <summary>Seconds from launch to ready, on the change that made a launched instance ready.</summary>
    public double? StartupDuration { get; internal set; }
}
