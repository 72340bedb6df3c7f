using System.Text.Json.Serialization;
using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Events;

/// <summary>The two event streams (design §10): each has its own WebSocket channel and retained window.</summary>
public enum EventChannel
{
    Heartbeat,
    State,
}

/// <summary>
/// One event as it goes on the wire: the reference's message, plus <see cref="Sequence"/>. Immutable once
/// published; its JSON is produced once and shared by every subscriber.
/// </summary>
public abstract record TektonEvent
{
    [JsonPropertyOrder(-3)]
    public abstract string Event { get; }

    /// <summary>The event's place in the stream; increases with every event published (design §10).</summary>
    [JsonPropertyOrder(-2)]
    public long Sequence { get; internal set; }

    [JsonPropertyOrder(-1)]
    public required string ComponentId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    [JsonIgnore]
    public abstract EventChannel Channel { get; }

    /// <summary>
    /// The encoded message, once a transport has produced it (see <c>EventJson</c> in the Web layer), so that
    /// it is encoded once however many subscribers receive it.
    /// </summary>
    [JsonIgnore]
    public byte[]? Utf8 { get; set; }

    /// <summary>
    /// The message the SignalR hub sends for it, once built (see <c>HubSubscriptions</c> in the Web layer), so
    /// that it is serialized once however many hub connections receive it.
    /// </summary>
    [JsonIgnore]
    public object? HubMessage { get; set; }
}

/// <summary>A heartbeat was received, over REST or the heartbeat socket.</summary>
public sealed record HeartbeatEvent : TektonEvent
{
    public override string Event => "heartbeat";

    public required Guid InstanceUuid { get; init; }

    /// <summary>The instance's state once the heartbeat was processed.</summary>
    public required string Status { get; init; }

    /// <summary>The metrics the heartbeat carried, as it carried them (an empty object when it carried none).</summary>
    public required JsonText Metrics { get; init; }

    [JsonIgnore]
    public override EventChannel Channel => EventChannel.Heartbeat;
}

/// <summary>A component's state changed, or it was registered or deregistered (the missing side is "unregistered").</summary>
public sealed record StateChangeEvent : TektonEvent
{
    public override string Event => "state_change";

    public required string PreviousState { get; init; }

    public required string NewState { get; init; }

    public required StateChangeMetadata Metadata { get; init; }

    /// <summary>Used by type filters; not part of the message.</summary>
    [JsonIgnore]
    public string ComponentType { get; init; } = string.Empty;

    [JsonIgnore]
    public override EventChannel Channel => EventChannel.State;

    public static StateChangeEvent From(StateChange change) => new()
    {
        Sequence = change.Sequence,
        ComponentId = change.ComponentId,
        ComponentType = change.ComponentType,
        PreviousState = ComponentStates.ToWire(change.PreviousState),
        NewState = ComponentStates.ToWire(change.NewState),
        Timestamp = change.Timestamp,
        Metadata = new StateChangeMetadata
        {
            InstanceUuid = change.InstanceUuid,
            Reason = change.Reason,
            ExitCode = change.ExitCode,
            RestartCount = change.RestartCount,
            StartupDuration = change.StartupDuration is { } seconds ? Math.Round(seconds, 3) : null,
        },
    };
}

/// <summary>What explains a state change; a field is present only where it applies.</summary>
public sealed record StateChangeMetadata
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? InstanceUuid { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExitCode { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RestartCount { get; init; }

    /// <summary>Seconds from launch to ready, on the change that made a launched instance ready.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? StartupDuration { get; init; }
}
