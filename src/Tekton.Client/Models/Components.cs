using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tekton.Client;

/// <summary>The seven states of an instance, as the API writes them.</summary>
public static class ComponentStates
{
    /// <summary>Known to Tekton; has not reported a state yet.</summary>
    public const string Registered = "registered";

    /// <summary>Starting up.</summary>
    public const string Initializing = "initializing";

    /// <summary>Serving.</summary>
    public const string Ready = "ready";

    /// <summary>Serving, but not fully healthy.</summary>
    public const string Degraded = "degraded";

    /// <summary>Shutting down.</summary>
    public const string Stopping = "stopping";

    /// <summary>Shut down cleanly.</summary>
    public const string Stopped = "stopped";

    /// <summary>Ended with an error, or unusable.</summary>
    public const string Failed = "failed";

    /// <summary>Whether an instance in <paramref name="state"/> serves requests (<c>ready</c> or <c>degraded</c>).</summary>
    public static bool IsServing(string? state) => state is Ready or Degraded;
}

/// <summary>
/// What a component tells Tekton about itself when it registers (<c>POST /api/tekton/components</c>).
/// Only <see cref="ComponentId"/>, <see cref="ComponentName"/>, <see cref="ComponentType"/> and
/// <see cref="Version"/> are required; everything else has the server's default when left <c>null</c>.
/// </summary>
public sealed class ComponentRegistration
{
    /// <summary>Creates an empty registration; set the required properties.</summary>
    public ComponentRegistration()
    {
    }

    /// <summary>Creates a registration with the required fields, in the order of the reference's examples.</summary>
    public ComponentRegistration(string componentId, string componentName, string componentType, string version)
    {
        ComponentId = componentId;
        ComponentName = componentName;
        ComponentType = componentType;
        Version = version;
    }

    /// <summary>Unique id: 1–64 characters of letters, digits, <c>_</c>, <c>.</c> and <c>-</c>.</summary>
    public string ComponentId { get; set; } = "";

    /// <summary>Human-readable name.</summary>
    public string ComponentName { get; set; } = "";

    /// <summary>Type token such as <c>memory</c>, <c>llm</c> or <c>service</c>.</summary>
    public string ComponentType { get; set; } = "";

    /// <summary>Semantic version of the component.</summary>
    public string Version { get; set; } = "";

    /// <summary>Capability tokens the component offers.</summary>
    public IList<string>? Capabilities { get; set; }

    /// <summary>Ids of the components this one needs.</summary>
    public IList<string>? Dependencies { get; set; }

    /// <summary>Where the component answers (default <c>localhost</c>).</summary>
    public string? Host { get; set; }

    /// <summary>The port the component listens on.</summary>
    public int? Port { get; set; }

    /// <summary>Relative path of its health endpoint, such as <c>/api/health</c>.</summary>
    public string? HealthCheck { get; set; }

    /// <summary>Free-form metadata (a JSON object of at most 32 KiB).</summary>
    public IDictionary<string, object?>? Metadata { get; set; }

    /// <summary>Seconds between heartbeats (default 10).</summary>
    public double? HeartbeatInterval { get; set; }

    /// <summary>Seconds without a heartbeat before the instance is degraded.</summary>
    public double? HeartbeatTimeout { get; set; }

    /// <summary>How Tekton starts the component as a supervised process; <c>null</c> keeps the current spec.</summary>
    public LaunchSpec? Launch { get; set; }

    /// <summary>Start the component when Tekton starts (needs <see cref="Launch"/>).</summary>
    public bool? Autostart { get; set; }

    /// <summary>What must be free before the component starts.</summary>
    public ComponentRequirements? Requirements { get; set; }

    /// <summary>
    /// The instance to attach to, or the UUID for the new instance. A process Tekton launched sends its
    /// <c>TEKTON_INSTANCE_UUID</c> here (the integration helpers do it for you).
    /// </summary>
    public Guid? InstanceUuid { get; set; }
}

/// <summary>How Tekton runs a component as a supervised operating-system process.</summary>
public sealed record LaunchSpec
{
    /// <summary>The executable: a path (with <c>/</c>) or a name looked up in Tekton's <c>PATH</c>.</summary>
    public string Command { get; init; } = "";

    /// <summary>Its arguments.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>Working directory; relative paths are resolved against Tekton's content root.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables added to the environment.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary><c>no</c>, <c>on-failure</c> (default) or <c>always</c>.</summary>
    public string? Restart { get; init; }

    /// <summary>Restarts allowed within <see cref="RestartWindow"/> (default 5).</summary>
    public int? MaxRestarts { get; init; }

    /// <summary>Seconds over which restarts are counted (default 60).</summary>
    public double? RestartWindow { get; init; }

    /// <summary>Seconds to become ready (default 60).</summary>
    public double? StartupTimeout { get; init; }

    /// <summary>Seconds between SIGTERM and SIGKILL (default 30).</summary>
    public double? StopTimeout { get; init; }
}

/// <summary>What must be free before a component starts (GiB, or a number of GPUs).</summary>
public sealed record ComponentRequirements
{
    /// <summary>Free memory in GiB.</summary>
    public double? MinMemoryGb { get; init; }

    /// <summary>Free disk in the data folder, GiB.</summary>
    public double? MinDiskGb { get; init; }

    /// <summary>GPUs needed.</summary>
    public int? GpuCount { get; init; }

    /// <summary>Free memory needed on each GPU, GiB.</summary>
    public double? MinGpuMemoryGb { get; init; }
}

/// <summary>
/// The answer to a registration. Deconstructs into <c>(success, instanceUuid)</c>, as in
/// <c>var (success, uuid) = await client.RegisterComponentAsync(registration);</c>
/// </summary>
public sealed record RegistrationResult
{
    /// <summary>Whether the component is registered.</summary>
    public bool Success { get; init; }

    /// <summary>What happened.</summary>
    public string Message { get; init; } = "";

    /// <summary>The instance this registration created or attached to; <see cref="Guid.Empty"/> when it failed.</summary>
    public Guid InstanceUuid { get; init; }

    /// <summary>Problems that did not prevent the registration (cycles, unregistered dependencies).</summary>
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary><c>true</c> when the id was new (201), <c>false</c> when it was registered before (200).</summary>
    [JsonIgnore]
    public bool Created { get; init; }

    /// <summary>The error, when an integration helper reports a failure instead of throwing.</summary>
    [JsonIgnore]
    public Exception? Error { get; init; }

    /// <summary>Deconstructs into the reference's <c>(success, instance_uuid)</c>.</summary>
    public void Deconstruct(out bool success, out Guid instanceUuid)
    {
        success = Success;
        instanceUuid = InstanceUuid;
    }
}

/// <summary>One entry of <c>GET /api/tekton/components</c>.</summary>
public record ComponentSummary
{
    /// <summary>The id.</summary>
    public string ComponentId { get; init; } = "";

    /// <summary>The name.</summary>
    public string ComponentName { get; init; } = "";

    /// <summary>The type.</summary>
    public string ComponentType { get; init; } = "";

    /// <summary>The version.</summary>
    public string Version { get; init; } = "";

    /// <summary>The state of the current instance (see <see cref="ComponentStates"/>).</summary>
    public string Status { get; init; } = "";

    /// <summary>Host.</summary>
    public string? Host { get; init; }

    /// <summary>Port.</summary>
    public int? Port { get; init; }

    /// <summary>Capabilities.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>The latest heartbeat of the current instance.</summary>
    public DateTimeOffset? LastHeartbeat { get; init; }
}

/// <summary><c>GET /api/tekton/components/{id}</c>: the definition and every instance, newest first.</summary>
public sealed record ComponentDetails : ComponentSummary
{
    /// <summary>Declared dependencies.</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    /// <summary>Health endpoint path.</summary>
    public string? HealthCheck { get; init; }

    /// <summary>When the current instance became ready.</summary>
    public DateTimeOffset? StartupTime { get; init; }

    /// <summary>Uptime as <c>[d.]hh:mm:ss</c>; see <see cref="UptimeSpan"/>.</summary>
    public string? Uptime { get; init; }

    /// <summary><see cref="Uptime"/> as a <see cref="TimeSpan"/>.</summary>
    [JsonIgnore]
    public TimeSpan? UptimeSpan => TektonTime.ParseUptime(Uptime);

    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, JsonElement> Metadata { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Seconds between heartbeats.</summary>
    public double HeartbeatInterval { get; init; }

    /// <summary>Seconds without a heartbeat before the instance is degraded.</summary>
    public double HeartbeatTimeout { get; init; }

    /// <summary>When the component was first registered.</summary>
    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>The launch spec with its defaults filled in; <c>null</c> when the component starts itself.</summary>
    public LaunchSpec? Launch { get; init; }

    /// <summary>Whether Tekton starts it at boot.</summary>
    public bool Autostart { get; init; }

    /// <summary>Requirements, when declared.</summary>
    public ComponentRequirements? Requirements { get; init; }

    /// <summary>Instances, newest first.</summary>
    public IReadOnlyList<InstanceInfo> Instances { get; init; } = [];
}

/// <summary>One instance of a component.</summary>
public sealed record InstanceInfo
{
    /// <summary>Its UUID.</summary>
    public Guid InstanceUuid { get; init; }

    /// <summary>Its state.</summary>
    public string Status { get; init; } = "";

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last became ready.</summary>
    public DateTimeOffset? StartupTime { get; init; }

    /// <summary>Its latest heartbeat.</summary>
    public DateTimeOffset? LastHeartbeat { get; init; }

    /// <summary>Why it entered its state.</summary>
    public string? Reason { get; init; }

    /// <summary>The process id while Tekton supervises it.</summary>
    public int? Pid { get; init; }

    /// <summary>How often Tekton restarted it.</summary>
    public int RestartCount { get; init; }

    /// <summary>The exit code of its last process.</summary>
    public int? ExitCode { get; init; }

    /// <summary>When Tekton last launched it.</summary>
    public DateTimeOffset? LaunchedAt { get; init; }

    /// <summary>When it entered its state.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }
}

/// <summary><c>GET /api/tekton/components/{id}/status</c>.</summary>
public sealed record ComponentStatus
{
    /// <summary>The id.</summary>
    public string ComponentId { get; init; } = "";

    /// <summary>The state of the current instance.</summary>
    public string Status { get; init; } = "";

    /// <summary>Its latest heartbeat.</summary>
    public DateTimeOffset? LastHeartbeat { get; init; }

    /// <summary>Uptime as <c>[d.]hh:mm:ss</c>.</summary>
    public string? Uptime { get; init; }

    /// <summary><see cref="Uptime"/> as a <see cref="TimeSpan"/>.</summary>
    [JsonIgnore]
    public TimeSpan? UptimeSpan => TektonTime.ParseUptime(Uptime);

    /// <summary>The current instance.</summary>
    public Guid? InstanceUuid { get; init; }

    /// <summary><c>overall</c>, then what the heartbeat and the health endpoint said.</summary>
    public IReadOnlyDictionary<string, JsonElement> HealthStatus { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary><c>{"success", "message"}</c>: the answer of stops, deregistrations, revocations and reports.</summary>
public sealed record OperationResult
{
    /// <summary>Whether it worked.</summary>
    public bool Success { get; init; }

    /// <summary>What happened.</summary>
    public string Message { get; init; } = "";
}

internal static class TektonTime
{
    public static TimeSpan? ParseUptime(string? uptime) =>
        uptime is not null && TimeSpan.TryParse(uptime, CultureInfo.InvariantCulture, out var span) ? span : null;
}
