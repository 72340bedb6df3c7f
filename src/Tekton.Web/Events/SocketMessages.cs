using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tekton.Web.Events;

/// <summary>A message a client sends on an event socket (design §10).</summary>
public sealed record SocketRequest
{
    /// <summary>subscribe | unsubscribe | heartbeat (the heartbeat channel only).</summary>
    public string? Action { get; init; }

    /// <summary>Heartbeat channel: "all" or one component id. With <c>heartbeat</c>: the component beating.</summary>
    public string? ComponentId { get; init; }

    /// <summary>State channel: the component types to follow, or ["all"].</summary>
    public IReadOnlyList<string>? ComponentTypes { get; init; }

    /// <summary>State channel, optional: only these components (of those types).</summary>
    public IReadOnlyList<string>? ComponentIds { get; init; }

    /// <summary>Replay the retained events after this sequence before the live ones.</summary>
    public long? SinceSequence { get; init; }

    public Guid? InstanceUuid { get; init; }

    public string? Status { get; init; }

    public JsonElement? Metrics { get; init; }

    public IReadOnlyDictionary<string, string>? Health { get; init; }
}

/// <summary>The answer to subscribe and unsubscribe (over SignalR, the hub method's return value).</summary>
public sealed record SubscriptionNotice
{
    /// <summary>subscribed | unsubscribed.</summary>
    public required string Event { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ComponentId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ComponentTypes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ComponentIds { get; init; }

    /// <summary>The newest sequence published when the subscription took effect.</summary>
    public long LatestSequence { get; init; }

    /// <summary>How many retained events follow this notice, when <c>since_sequence</c> was given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Replayed { get; init; }

    /// <summary>True when the replay could not reach back to <c>since_sequence</c>: a <c>resync_required</c> follows.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ResyncRequired { get; init; }

    /// <summary>For unsubscribe: how many subscriptions it removed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Removed { get; init; }
}

/// <summary>A message the server could not act on; the connection stays open.</summary>
public sealed record ErrorNotice(int Code, string Message)
{
    public string Event => "error";
}

/// <summary>Events after <c>since_sequence</c> are no longer retained: read the state again, then rely on the live events.</summary>
public sealed record ResyncNotice(string Channel, long SinceSequence, long OldestSequence, long LatestSequence, string Message)
{
    public string Event => "resync_required";
}

/// <summary>The answer to a heartbeat sent on the heartbeat socket (the REST heartbeat's answer, as an event).</summary>
public sealed record HeartbeatReceivedNotice(string ComponentId, Guid InstanceUuid, string Status)
{
    public string Event => "heartbeat_received";
}
