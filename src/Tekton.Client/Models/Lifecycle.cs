using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tekton.Client;

/// <summary>A heartbeat (<c>POST /api/tekton/components/{id}/heartbeat</c>). Every field is optional.</summary>
public sealed record Heartbeat
{
    /// <summary>The instance; default: the component's current instance.</summary>
    public Guid? InstanceUuid { get; init; }

    /// <summary>A state to move to, applied as a transition when it differs.</summary>
    public string? Status { get; init; }

    /// <summary>A flat object of names to numbers, booleans, <c>null</c> or short strings.</summary>
    public IReadOnlyDictionary<string, object?>? Metrics { get; init; }

    /// <summary>Health entries (names to short strings).</summary>
    public IReadOnlyDictionary<string, string>? Health { get; init; }
}

/// <summary>The answer to a heartbeat.</summary>
public sealed record HeartbeatResult
{
    /// <summary>Always <c>true</c> on success.</summary>
    public bool Success { get; init; }

    /// <summary>What happened.</summary>
    public string Message { get; init; } = "";

    /// <summary>The instance the heartbeat was for.</summary>
    public Guid InstanceUuid { get; init; }

    /// <summary>The instance's state after the heartbeat.</summary>
    public string Status { get; init; } = "";
}

/// <summary>The answer to <c>PUT …/instances/{uuid}/state</c>.</summary>
public sealed record StateChangeResult
{
    /// <summary>Always <c>true</c> on success.</summary>
    public bool Success { get; init; }

    /// <summary>What happened.</summary>
    public string Message { get; init; } = "";

    /// <summary>The component.</summary>
    public string ComponentId { get; init; } = "";

    /// <summary>The instance.</summary>
    public Guid InstanceUuid { get; init; }

    /// <summary>The state before.</summary>
    public string PreviousState { get; init; } = "";

    /// <summary>The state now.</summary>
    public string NewState { get; init; } = "";
}

/// <summary>The answer to <c>POST …/start</c>.</summary>
public sealed record StartResult
{
    /// <summary>Whether the start was accepted (or, with <c>wait</c>, completed).</summary>
    public bool Success { get; init; }

    /// <summary><c>Component starting</c>, <c>Component started</c> or <c>Component already running</c>.</summary>
    public string Message { get; init; } = "";

    /// <summary>The instance that runs the process.</summary>
    public Guid InstanceUuid { get; init; }
}

/// <summary>Options of <c>POST …/stop</c>; every one is optional.</summary>
public sealed record StopOptions
{
    /// <summary>Stop only this instance.</summary>
    public Guid? InstanceUuid { get; init; }

    /// <summary>Kill at once, and stop even though dependents run.</summary>
    public bool? Force { get; init; }

    /// <summary>Seconds between SIGTERM and SIGKILL (0–3600).</summary>
    public double? Timeout { get; init; }

    /// <summary>Stop the running dependents first, in reverse startup order.</summary>
    public bool? Cascade { get; init; }
}

/// <summary>The last lines an instance's process wrote.</summary>
public sealed record ComponentLogs
{
    /// <summary>The component.</summary>
    public string ComponentId { get; init; } = "";

    /// <summary>The instance the lines belong to; <c>null</c> when the component has none.</summary>
    public Guid? InstanceUuid { get; init; }

    /// <summary>The lines, in the order written.</summary>
    public IReadOnlyList<string> Lines { get; init; } = [];
}

/// <summary>A control signal for an instance (the long-poll of <c>…/signals</c>).</summary>
public sealed record ControlSignal
{
    /// <summary><c>shutdown</c>.</summary>
    public string Signal { get; init; } = "";

    /// <summary>The stop was forced: the process is being killed.</summary>
    public bool Force { get; init; }

    /// <summary>Seconds the instance has to stop.</summary>
    public double Timeout { get; init; }

    /// <summary>When the stop was asked for.</summary>
    public DateTimeOffset RequestedAt { get; init; }
}

/// <summary><c>GET /api/tekton/dependencies</c>: the whole graph.</summary>
public sealed record DependencyGraph
{
    /// <summary>Every registered component with the ids it declares, in registration order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Dependencies { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The order in which to start them.</summary>
    public IReadOnlyList<string> StartupOrder { get; init; } = [];

    /// <summary>Each cycle as a list of ids.</summary>
    public IReadOnlyList<IReadOnlyList<string>> CircularDependencies { get; init; } = [];

    /// <summary>Components that declare ids which are not registered, with those ids.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> MissingDependencies { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary><c>GET /api/tekton/components/{id}/dependencies</c>.</summary>
public sealed record ComponentDependencies
{
    /// <summary>The component.</summary>
    public string ComponentId { get; init; } = "";

    /// <summary>What it declares.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Registered components that declare it directly.</summary>
    public IReadOnlyList<string> DependentComponents { get; init; } = [];
}

/// <summary><c>GET /api/tekton/version</c>.</summary>
public sealed record VersionInfo
{
    /// <summary>Tekton's version.</summary>
    public string Version { get; init; } = "";

    /// <summary>UTC date of the build.</summary>
    public string BuildDate { get; init; } = "";

    /// <summary>The commit it was built from.</summary>
    public string GitCommit { get; init; } = "";

    /// <summary>The API version, <c>v1</c>.</summary>
    public string ApiVersion { get; init; } = "";
}

/// <summary>A live event as it arrived, with its raw JSON for fields this client does not model.</summary>
public abstract record TektonEvent
{
    /// <summary>The event's place in Tekton's single event numbering.</summary>
    public long Sequence { get; init; }

    /// <summary>The component it concerns.</summary>
    public string ComponentId { get; init; } = "";

    /// <summary>When it happened (the server's clock).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The event's JSON exactly as Tekton sent it, <c>event</c> member included.</summary>
    [JsonIgnore]
    public JsonElement Raw { get; init; }
}

/// <summary>A <c>heartbeat</c> event.</summary>
public sealed record HeartbeatEvent : TektonEvent
{
    /// <summary>The instance.</summary>
    public Guid? InstanceUuid { get; init; }

    /// <summary>The instance's state once the heartbeat was processed.</summary>
    public string Status { get; init; } = "";

    /// <summary>What the heartbeat carried.</summary>
    public IReadOnlyDictionary<string, JsonElement> Metrics { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>A <c>state_change</c> event.</summary>
public sealed record StateChangeEvent : TektonEvent
{
    /// <summary>The state before (<c>unregistered</c> for a registration).</summary>
    public string PreviousState { get; init; } = "";

    /// <summary>The state after (<c>unregistered</c> for a deregistration).</summary>
    public string NewState { get; init; } = "";

    /// <summary><c>instance_uuid</c>, <c>reason</c>, <c>exit_code</c>, <c>restart_count</c>, <c>startup_duration</c> where they apply.</summary>
    public IReadOnlyDictionary<string, JsonElement> Metadata { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>Sent when a resumed subscription asked for events older than Tekton retains: some were missed.</summary>
public sealed record ResyncRequired
{
    /// <summary><c>heartbeat</c> or <c>state</c>.</summary>
    public string Channel { get; init; } = "";

    /// <summary>The sequence the client asked to resume after.</summary>
    public long? SinceSequence { get; init; }

    /// <summary>The oldest sequence still retained.</summary>
    public long? OldestSequence { get; init; }

    /// <summary>The newest sequence.</summary>
    public long? LatestSequence { get; init; }

    /// <summary>The server's explanation.</summary>
    public string Message { get; init; } = "";
}
