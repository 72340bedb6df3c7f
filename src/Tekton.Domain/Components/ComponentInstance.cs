using Tekton.Domain.Errors;

namespace Tekton.Domain.Components;

/// <summary>
/// One running (or once running) copy of a component; every registration or start creates one. Clients
/// request transitions through <see cref="RequestTransition"/> (the table of §6.1); Tekton itself moves an
/// instance through the named methods below (launch, readiness, exit, expiry, recovery).
/// </summary>
public sealed class ComponentInstance
{
    public const string HeartbeatMissed = "heartbeat_missed";
    public const string HealthCheckFailed = "health_check_failed";

    /// <summary>How the reason of an instance that Tekton failed for not becoming ready in time begins.</summary>
    public const string StartupTimeout = "startup timeout";

    private ComponentInstance()
    {
        ComponentId = string.Empty;
        RestartHistory = [];
    }

    internal ComponentInstance(string componentId, Guid instanceUuid, DateTimeOffset createdAt)
    {
        ComponentId = componentId;
        InstanceUuid = instanceUuid;
        Status = ComponentState.Registered;
        CreatedAt = createdAt;
        StatusChangedAt = createdAt;
        RestartHistory = [];
    }

    /// <summary>
    /// A new instance's uuid: version 7, whose leading bits are the time of its making, so instances made one after
    /// another sort together as text. The database's index on the uuid then grows at its end instead of at a random
    /// leaf page per registration (each such page is a whole page written to the WAL and again at the checkpoint).
    /// </summary>
    public static Guid NewUuid() => Version7Uuids.New(DateTimeOffset.UtcNow);

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

    /// <summary>The operating-system process of a supervised instance while it runs.</summary>
    public int? Pid { get; private set; }

    /// <summary>The process's start time in clock ticks since boot (<c>/proc/[pid]/stat</c> field 22): with the pid, it names one process.</summary>
    public long? ProcessStartTicks { get; private set; }

    /// <summary>When the current process was launched.</summary>
    public DateTimeOffset? LaunchedAt { get; private set; }

    public int RestartCount { get; private set; }

    /// <summary>UTC ticks of each restart, for the restart window.</summary>
    public long[] RestartHistory { get; private set; }

    public int? ExitCode { get; private set; }

    public bool IsLive => Status.IsLive();

    public bool IsSupervised => Pid is not null;

    public IReadOnlyList<DateTimeOffset> Restarts => [.. RestartHistory.Select(t => new DateTimeOffset(t, TimeSpan.Zero))];

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

        var starting = Status is ComponentState.Registered or ComponentState.Initializing;
        var change = Enter(to, componentType, at, reason);
        if (to == ComponentState.Ready && starting)
        {
            // A launched component that says it is ready (mark_ready) finished its start-up as surely as one whose
            // health check passed.
            change.StartupDuration = LaunchedAt is { } launched ? (at - launched).TotalSeconds : null;
        }

        return change;
    }

    public void RecordHeartbeat(DateTimeOffset at, string? reportedHealthJson)
    {
        if (LastHeartbeat is null || at > LastHeartbeat)
        {
            LastHeartbeat = at;
            ReportedHealthJson = reportedHealthJson ?? ReportedHealthJson;
        }
    }

    /// <summary>Tekton launched (or relaunched) a process for this instance: it is initializing.</summary>
    public StateChange Launched(int pid, long processStartTicks, bool restart, string componentType, DateTimeOffset at)
    {
        Pid = pid;
        ProcessStartTicks = processStartTicks;
        LaunchedAt = at;
        ExitCode = null;
        if (restart)
        {
            RestartCount++;
            RestartHistory = [.. RestartHistory.TakeLast(63), at.UtcTicks];
        }

        return Enter(ComponentState.Initializing, componentType, at, restart ? "restarted" : "launched");
    }

    /// <summary>The instance became ready (it said so, its health check answered, or it stayed up); null if it already was.</summary>
    public StateChange? BecameReady(string componentType, DateTimeOffset at, string reason)
    {
        if (Status is not (ComponentState.Registered or ComponentState.Initializing))
        {
            return null;
        }

        var change = Enter(ComponentState.Ready, componentType, at, reason);
        change.StartupDuration = LaunchedAt is { } launched ? (at - launched).TotalSeconds : null;
        return change;
    }

    /// <summary>The supervised process ended: stopped if a stop was asked for or it exited with code 0, else failed.</summary>
    public StateChange? Exited(int? exitCode, string componentType, DateTimeOffset at)
    {
        Pid = null;
        ProcessStartTicks = null;
        ExitCode = exitCode;
        if (Status is ComponentState.Stopped or ComponentState.Failed)
        {
            // Already ended by Tekton (startup timeout, failed health checks): keep that reason.
            return null;
        }

        var to = Status == ComponentState.Stopping || exitCode == 0 ? ComponentState.Stopped : ComponentState.Failed;
        var reason = Status == ComponentState.Stopping ? "stopped"
            : Status == ComponentState.Initializing ? $"exited before ready{Code(exitCode)}"
            : $"exited{Code(exitCode)}";
        var change = Enter(to, componentType, at, reason);
        change.ExitCode = exitCode;
        return change;
    }

    /// <summary>Marks a live instance failed for a reason of Tekton's (startup timeout, process lost at restart).</summary>
    public StateChange? Fail(string reason, string componentType, DateTimeOffset at)
    {
        if (Status is ComponentState.Failed or ComponentState.Stopped)
        {
            return null;
        }

        Pid = null;
        ProcessStartTicks = null;
        return Enter(ComponentState.Failed, componentType, at, reason);
    }

    /// <summary>A stop was asked for; null if the instance is already stopping or stopped.</summary>
    public StateChange? BeginStopping(string componentType, DateTimeOffset at, string reason)
    {
        if (Status is ComponentState.Stopping or ComponentState.Stopped)
        {
            return null;
        }

        return Enter(ComponentState.Stopping, componentType, at, reason);
    }

    /// <summary>The instance is known to be down after a stop (an external one reported it, or its process is gone).</summary>
    public StateChange? Stopped(string componentType, DateTimeOffset at, string reason)
    {
        Pid = null;
        ProcessStartTicks = null;
        return Status == ComponentState.Stopped ? null : Enter(ComponentState.Stopped, componentType, at, reason);
    }

    /// <summary>
    /// A missed deadline (heartbeat or health check): ready becomes degraded, degraded becomes failed.
    /// Returns null when the instance is in neither state.
    /// </summary>
    public StateChange? Missed(string reason, string componentType, DateTimeOffset at) => Status switch
    {
        ComponentState.Ready => Enter(ComponentState.Degraded, componentType, at, reason),
        ComponentState.Degraded => Enter(ComponentState.Failed, componentType, at, reason),
        _ => null,
    };

    /// <summary>
    /// A heartbeat or a passing health check after a miss of that same kind (<paramref name="missed"/>): the
    /// degraded or failed instance is ready again (design §6.2). Null when it was not down for that reason.
    /// </summary>
    public StateChange? Recovered(string missed, string componentType, DateTimeOffset at) =>
        Status is ComponentState.Degraded or ComponentState.Failed && StatusReason == missed
            ? Enter(ComponentState.Ready, componentType, at, missed == HeartbeatMissed ? "heartbeat received" : "health check passed")
            : null;

    /// <summary>Takes the component's own id string and a shared copy of the reason (see <see cref="Component.ShareStrings"/>).</summary>
    internal void ShareStrings(string componentId, Func<string, string> shared)
    {
        ComponentId = string.Equals(componentId, ComponentId, StringComparison.Ordinal) ? componentId : ComponentId;
        StatusReason = StatusReason is null ? null : shared(StatusReason);
    }

    private static string Code(int? exitCode) => exitCode is { } code ? $" with code {code}" : string.Empty;

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

        return new StateChange(ComponentId, componentType, InstanceUuid, previous, to, at, reason) { RestartCount = RestartCount };
    }
}
