using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Lifecycle;

/// <summary>
/// Design §6.3: every component with a health_check and a port is checked every 10 s (2 s timeout). Three
/// failures in a row make it degraded, three more failed (a supervised process is then ended and its restart
/// policy applies); one success makes it ready again. Every check runs on its own, with its own timeout, and a
/// round does not wait for the previous round's checks: a target that hangs (or a process being ended) delays
/// only its own next check, never the others' schedule.
/// </summary>
public sealed partial class HealthChecks(
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

    // A field, not the captured parameter: the parameter also goes to the base class.
    private readonly ILogger<HealthChecks> _logger = logger;

    // The instances whose check is under way: a new round skips them rather than queueing a second check.
    private readonly ConcurrentDictionary<Guid, byte> _checking = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _rounds = [];

    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.HealthCheckIntervalSeconds);

    /// <summary>Starts a round and returns at once, so the next round starts on schedule; the rounds are awaited at stop.</summary>
    protected override Task TickAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _rounds.RemoveAll(r => r.IsCompleted);
            _rounds.Add(CheckAllAsync(cancellationToken));
        }

        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Task[] rounds;
        lock (_gate)
        {
            rounds = [.. _rounds];
        }

        try
        {
            await Task.WhenAll(rounds).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: checks end with the host's token.
        }
    }

    /// <summary>Checks every instance that is due and has no check under way; completes when those checks have.</summary>
    public Task CheckAllAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.HealthCheckTimeoutSeconds);
        var checks = new List<Task>();
        foreach (var view in projection.Current.Attended.Values)
        {
            if (view is { HealthCheck: not null, Port: not null } && IsChecked(view.Current) && ChecksHere(view)
                && _checking.TryAdd(view.Current!.InstanceUuid, 0))
            {
                checks.Add(RunCheckAsync(view, view.Current.InstanceUuid, timeout, cancellationToken));
            }
        }

        return Task.WhenAll(checks);
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

    private async Task RunCheckAsync(ComponentView view, Guid instanceUuid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await CheckAsync(view, instanceUuid, timeout, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed write (a full disk) ends this check only; the next round tries again.
            LogCheckFailed(exception, view.ComponentId);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
        finally
        {
            _checking.TryRemove(instanceUuid, out _);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Error, Message = "The health check of {ComponentId} could not record its result")]
    private partial void LogCheckFailed(Exception exception, string componentId);
}
