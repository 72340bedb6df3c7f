using System.Text.Json;
using Tekton.Domain.Components;
using Tekton.Domain.Resources;

namespace Tekton.Application.Common;

/// <summary>An immutable copy of a component as last committed: what every read is answered from.</summary>
public sealed record ComponentView
{
    public required string ComponentId { get; init; }

    public required string ComponentName { get; init; }

    public required string ComponentType { get; init; }

    public required string Version { get; init; }

    public required IReadOnlyList<string> Capabilities { get; init; }

    public required IReadOnlyList<string> Dependencies { get; init; }

    public required string Host { get; init; }

    public int? Port { get; init; }

    public string? HealthCheck { get; init; }

    /// <summary>The component's metadata, a JSON object, as text: the domain object's own string, not a copy.</summary>
    public required string MetadataJson { get; init; }

    /// <summary>
    /// <see cref="MetadataJson"/> parsed, on each use: few reads need it (a component's details, the models of an
    /// <c>llm</c> component), and a parsed copy kept per component would cost as much memory again as the text.
    /// </summary>
    public JsonElement Metadata => JsonElement.Parse(MetadataJson);

    public double HeartbeatInterval { get; init; }

    public double HeartbeatTimeout { get; init; }

    public LaunchSpec? Launch { get; init; }

    public bool Autostart { get; init; }

    public ResourceRequirements? Requirements { get; init; }

    public long RegistrationSequence { get; init; }

    public DateTimeOffset RegisteredAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public required IReadOnlyList<InstanceView> Instances { get; init; }

    /// <summary>
    /// The newest live instance, else the newest one (design §5). Set by <see cref="ViewMapper.ToView"/> on the view it
    /// just made, before anything else sees it (a copy made with <c>with</c> to set it cost an object per commit's view).
    /// </summary>
    public InstanceView? Current { get; internal set; }

    public ComponentState Status => Current?.Status ?? ComponentState.Registered;

    public InstanceView? FindInstance(Guid instanceUuid)
    {
        foreach (var instance in Instances)
        {
            if (instance.InstanceUuid == instanceUuid)
            {
                return instance;
            }
        }

        return null;
    }
}

/// <summary>An immutable copy of an instance as last committed.</summary>
public sealed record InstanceView
{
    public Guid InstanceUuid { get; init; }

    public ComponentState Status { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset StatusChangedAt { get; init; }

    public string? StatusReason { get; init; }

    public DateTimeOffset? ReadyAt { get; init; }

    public DateTimeOffset? LastHeartbeat { get; init; }

    public int? Pid { get; init; }

    public long? ProcessStartTicks { get; init; }

    public DateTimeOffset? LaunchedAt { get; init; }

    public int RestartCount { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>The health map of the last heartbeat written behind, as a JSON object (the domain object's string); <c>null</c> if none.</summary>
    public string? ReportedHealthJson { get; init; }

    /// <summary><see cref="ReportedHealthJson"/> parsed, on each use (only a status request needs it).</summary>
    public IReadOnlyDictionary<string, string>? ReportedHealth => ViewMapper.ParseHealth(ReportedHealthJson);
}
