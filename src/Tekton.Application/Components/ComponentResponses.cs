using System.ComponentModel;
using System.Text.Json;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Application.Resources;
using Tekton.Domain.Components;

namespace Tekton.Application.Components;

/// <summary>A component in the list answer (reference: List Components).</summary>
public sealed record ComponentSummary(
    string ComponentId,
    string ComponentName,
    string ComponentType,
    string Version,
    [property: Description("registered | initializing | ready | degraded | stopping | stopped | failed")] string Status,
    string Host,
    [property: Description("TCP port, 1-65535; null when the component listens on none")] int? Port,
    IReadOnlyList<string> Capabilities,
    [property: Description("RFC 3339 UTC time of the last heartbeat of the current instance; null if none")] DateTimeOffset? LastHeartbeat);

public sealed record ComponentList(IReadOnlyList<ComponentSummary> Components);

/// <summary>An instance in the details answer.</summary>
public sealed record InstanceSummary(
    Guid InstanceUuid,
    string Status,
    [property: Description("RFC 3339 UTC time the instance was registered")] DateTimeOffset CreatedAt,
    [property: Description("RFC 3339 UTC time the instance last became ready; null if it never was")] DateTimeOffset? StartupTime,
    DateTimeOffset? LastHeartbeat,
    [property: Description("Why the instance is in its state, when Tekton or a client gave a reason")] string? Reason,
    [property: Description("Process id while Tekton supervises a running process for this instance")] int? Pid,
    [property: Description("How often Tekton restarted this instance's process")] int RestartCount,
    [property: Description("Exit code of the instance's last process, once it ended")] int? ExitCode,
    [property: Description("RFC 3339 UTC time Tekton last launched a process for this instance")] DateTimeOffset? LaunchedAt,
    [property: Description("RFC 3339 UTC time the instance entered its current status")] DateTimeOffset StatusChangedAt);

/// <summary>The reference's Get Component Details answer.</summary>
public sealed record ComponentDetails(
    string ComponentId,
    string ComponentName,
    string ComponentType,
    string Version,
    string Status,
    string Host,
    int? Port,
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<string> Dependencies,
    string? HealthCheck,
    DateTimeOffset? LastHeartbeat,
    [property: Description("RFC 3339 UTC time the current instance became ready; null until it is")] DateTimeOffset? StartupTime,
    [property: Description("Time since startup_time as [d.]hh:mm:ss; null while the current instance is not running")] string? Uptime,
    JsonElement Metadata,
    [property: Description("Seconds between heartbeats the component promises")] double HeartbeatInterval,
    [property: Description("Seconds without a heartbeat before the component counts as missing")] double HeartbeatTimeout,
    DateTimeOffset RegisteredAt,
    [property: Description("How Tekton starts the component; null when it starts itself")] LaunchBody? Launch,
    bool Autostart,
    [property: Description("What must be free before the component may start; null for nothing")] RequirementsBody? Requirements,
    IReadOnlyList<InstanceSummary> Instances);

/// <summary>The reference's Get Component Status answer.</summary>
public sealed record ComponentStatusResponse(
    string ComponentId,
    string Status,
    DateTimeOffset? LastHeartbeat,
    [property: Description("[d.]hh:mm:ss since the current instance became ready; null while it is not running")] string? Uptime,
    Guid? InstanceUuid,
    [property: Description("overall (healthy | degraded | unhealthy | stopped | unknown) plus what the component reports")] IReadOnlyDictionary<string, string> HealthStatus);

/// <summary>Turns committed views plus the live heartbeat table into the reference's answers.</summary>
public static class ComponentResponses
{
    public static ComponentSummary Summary(ComponentView view, HeartbeatTable heartbeats) => new(
        view.ComponentId,
        view.ComponentName,
        view.ComponentType,
        view.Version,
        view.Status.ToWire(),
        view.Host,
        view.Port,
        view.Capabilities,
        LastHeartbeat(view.Current, heartbeats));

    public static ComponentDetails Details(ComponentView view, HeartbeatTable heartbeats, DateTimeOffset now) => new(
        view.ComponentId,
        view.ComponentName,
        view.ComponentType,
        view.Version,
        view.Status.ToWire(),
        view.Host,
        view.Port,
        view.Capabilities,
        view.Dependencies,
        view.HealthCheck,
        LastHeartbeat(view.Current, heartbeats),
        view.Current?.ReadyAt,
        Uptime(view.Current, now),
        view.Metadata,
        view.HeartbeatInterval,
        view.HeartbeatTimeout,
        view.RegisteredAt,
        view.Launch is { } launch ? LaunchBody.From(launch) : null,
        view.Autostart,
        view.Requirements is { } requirements ? RequirementsBody.From(requirements) : null,
        [.. view.Instances.OrderByDescending(i => i.CreatedAt).Select(i => new InstanceSummary(
            i.InstanceUuid, i.Status.ToWire(), i.CreatedAt, i.ReadyAt, LastHeartbeat(i, heartbeats), i.StatusReason, i.Pid, i.RestartCount, i.ExitCode, i.LaunchedAt, i.StatusChangedAt))]);

    public static ComponentStatusResponse Status(ComponentView view, HeartbeatTable heartbeats, HealthTable checks, DateTimeOffset now)
    {
        var current = view.Current;
        var health = new Dictionary<string, string>(StringComparer.Ordinal) { ["overall"] = Overall(view.Status) };
        if (current is not null)
        {
            // What the component says in its heartbeats, then what its health endpoint answered.
            foreach (var reported in new[] { heartbeats.Latest(current.InstanceUuid)?.Health ?? current.ReportedHealth, checks.Fields(current.InstanceUuid) })
            {
                foreach (var (name, state) in reported ?? new Dictionary<string, string>())
                {
                    health.TryAdd(name, state);
                }
            }
        }

        return new ComponentStatusResponse(
            view.ComponentId, view.Status.ToWire(), LastHeartbeat(current, heartbeats), Uptime(current, now), current?.InstanceUuid, health);
    }

    public static DateTimeOffset? LastHeartbeat(InstanceView? instance, HeartbeatTable heartbeats)
    {
        if (instance is null)
        {
            return null;
        }

        var live = heartbeats.Latest(instance.InstanceUuid)?.Timestamp;
        return live is { } l && (instance.LastHeartbeat is null || l > instance.LastHeartbeat) ? l : instance.LastHeartbeat;
    }

    public static string? Uptime(InstanceView? instance, DateTimeOffset now) =>
        UptimeSpan(instance, now) is { } span ? Wire.Uptime(span) : null;

    /// <summary>How long the instance has been ready, while it is live; null otherwise.</summary>
    public static TimeSpan? UptimeSpan(InstanceView? instance, DateTimeOffset now) =>
        instance is { ReadyAt: { } readyAt } && instance.Status.IsLive() ? now - readyAt : null;

    private static string Overall(ComponentState state) => state switch
    {
        ComponentState.Ready => "healthy",
        ComponentState.Degraded => "degraded",
        ComponentState.Failed => "unhealthy",
        ComponentState.Stopping or ComponentState.Stopped => "stopped",
        _ => "unknown",
    };
}
