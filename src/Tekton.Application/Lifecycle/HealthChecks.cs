using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Lifecycle;

/// <summary>
/// Design §6.3: every component with a health_check and a port is checked every 10 s (2 s timeout). Three
/// failures in a row make it degraded, three more failed (a supervised process is then ended and its restart
/// policy applies); one success makes it ready again. All checks of a round run at once, each with its own
/// timeout, so one target that hangs holds up no other.
/// </summary>
public sealed class HealthChecks(
    RegistryProjection projection,
    IHealthProbe probe,
    HealthTable table,
    IRegistryWriter writer,
    IProcessSupervisor processes,
    TimeProvider clock,
    IOptions<SupervisionOptions> options,
    LocalNode node,
    IExpiryLease lease,
    ILogger<HealthChecks> logger) : PeriodicService(clock, logger)
{
    public const int FailuresToDegrade = 3;

    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.HealthCheckIntervalSeconds);

    protected override Task TickAsync(CancellationToken cancellationToken) => CheckAllAsync(cancellationToken);

    public async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.HealthCheckTimeoutSeconds);
        var checks = projection.Current.ById.Values
            .Where(v => v is { HealthCheck: not null, Port: not null } && IsChecked(v.Current) && ChecksHere(v))
            .Select(v => CheckAsync(v, v.Current!.InstanceUuid, timeout, cancellationToken));
        await Task.WhenAll(checks);
    }

    /// <summary>
    /// With several nodes, a process is checked by the node that runs it (and ended there); a component that
    /// starts itself, by the node holding the expiry lease. One node alone checks everything.
    /// </summary>
    private bool ChecksHere(ComponentView view) =>
        view.Launch is { Node: not null } launch ? launch.RunsOn(node.Name) : lease.Held;

    /// <summary>Running instances are checked, and one failed by its health check (so that it can recover).</summary>
    private static bool IsChecked(InstanceView? instance) =>
        instance is { Status: ComponentState.Ready or ComponentState.Degraded }
        or { Status: ComponentState.Failed, StatusReason: ComponentInstance.HealthCheckFailed };

    private async Task CheckAsync(ComponentView view, Guid instanceUuid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await probe.ProbeAsync(view.Host, view.Port!.Value, view.HealthCheck!, timeout, cancellationToken);
        var failures = table.Record(instanceUuid, result);
        if (failures > 0 && failures % FailuresToDegrade != 0)
        {
            return;
        }

        var endProcess = await writer.WriteAsync(
            write =>
            {
                var component = write.Find(view.ComponentId);
                if (component?.FindInstance(instanceUuid) is not { } instance)
                {
                    return false;
                }

                var change = failures == 0
                    ? instance.Recovered(ComponentInstance.HealthCheckFailed, component.ComponentType, write.Now)
                    : instance.Missed(ComponentInstance.HealthCheckFailed, component.ComponentType, write.Now);
                if (change is null)
                {
                    return false;
                }

                write.Record(change);
                return change.NewState == ComponentState.Failed && instance.IsSupervised;
            },
            cancellationToken);

        if (endProcess)
        {
            await processes.TerminateAsync(instanceUuid, TimeSpan.FromSeconds(view.Launch?.StopTimeout ?? 30), force: false, cancellationToken);
        }
    }
}
