using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Lifecycle;

/// <summary>
/// Design §6.2: no heartbeat for one heartbeat_timeout makes a ready instance degraded, for two makes it failed
/// (reason <c>heartbeat_missed</c>); the next heartbeat makes it ready again. Instances that never sent a
/// heartbeat are left to their health check. Ages are measured on the monotonic clock of the injected
/// <see cref="TimeProvider"/> (<see cref="HeartbeatTable.SinceLast"/>), so a jump of the wall clock expires nothing.
/// </summary>
public sealed class HeartbeatExpiry(
    RegistryProjection projection,
    HeartbeatTable heartbeats,
    IRegistryWriter writer,
    TimeProvider clock,
    IOptions<SupervisionOptions> options,
    IExpiryLease lease,
    ILogger<HeartbeatExpiry> logger) : PeriodicService(clock, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.HeartbeatSweepSeconds);

    /// <summary>With several nodes, only the holder of the expiry lease sweeps.</summary>
    protected override Task TickAsync(CancellationToken cancellationToken) =>
        lease.Held ? SweepAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Moves every instance whose heartbeat is overdue one step down; returns how many moved.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var overdue = new List<(string ComponentId, Guid InstanceUuid)>();
        foreach (var view in projection.Current.Attended.Values)
        {
            foreach (var instance in view.Instances)
            {
                if (IsOverdue(view.HeartbeatTimeout, instance, instance.Status, instance.StatusReason))
                {
                    overdue.Add((view.ComponentId, instance.InstanceUuid));
                }
            }
        }

        if (overdue.Count == 0)
        {
            return 0;
        }

        return await writer.WriteAsync(
            write =>
            {
                var moved = 0;
                foreach (var (componentId, instanceUuid) in overdue)
                {
                    var component = write.Find(componentId);
                    var instance = component?.FindInstance(instanceUuid);
                    var view = projection.Current.Find(componentId)?.FindInstance(instanceUuid);
                    if (component is null || instance is null || view is null || !IsOverdue(component.HeartbeatTimeout, view, instance.Status, instance.StatusReason))
                    {
                        continue;
                    }

                    if (instance.Missed(ComponentInstance.HeartbeatMissed, component.ComponentType, write.Now) is { } change)
                    {
                        write.Record(change);
                        moved++;
                    }
                }

                return moved;
            },
            cancellationToken);
    }

    private bool IsOverdue(double timeoutSeconds, InstanceView instance, ComponentState status, string? reason)
    {
        // Only a ready instance, or one that missed heartbeats before, can move; the state is checked first so that
        // the sweep looks up heartbeats for those alone (it visits every attended instance each second).
        var timeouts = status switch
        {
            ComponentState.Ready => 1,
            ComponentState.Degraded when reason == ComponentInstance.HeartbeatMissed => 2,
            _ => 0,
        };
        return timeouts > 0
            && heartbeats.SinceLast(instance.InstanceUuid, instance.LastHeartbeat) is { } age
            && age > timeouts * TimeSpan.FromSeconds(timeoutSeconds);
    }
}
