using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>
/// Runs the process of each supervised instance (design §6.3): launches it with the TEKTON_* environment
/// (with auth on, TEKTON_API_KEY: a Component key for its own id),
/// decides when it is ready, records how it ended, restarts it by policy with back-off, and stops it.
/// Every watcher it starts is owned here and cancelled when Tekton stops.
/// </summary>
public sealed partial class InstanceRunner(
    IRegistryWriter writer,
    RegistryProjection projection,
    IProcessSupervisor processes,
    IHealthProbe probe,
    ITektonAddress address,
    SignalBoard signals,
    Security.ApiKeys keys,
    IOptions<Security.AuthOptions> auth,
    TimeProvider clock,
    IOptions<SupervisionOptions> options,
    ILogger<InstanceRunner> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Guid, Task> _watchers = new();
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _pendingRestarts = new();

    public CancellationToken Stopping => _stopping.Token;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (options.Value.StopProcessesOnShutdown)
        {
            // Stopped the regular way, so that they are recorded stopped and the next boot does not restart them.
            var running = projection.Current.ById.Values
                .SelectMany(v => v.Instances.Where(i => processes.IsRunning(i.InstanceUuid)).Select(i => (v.ComponentId, i.InstanceUuid)));
            await Task.WhenAll(running.Select(r =>
                StopInstanceAsync(r.ComponentId, r.InstanceUuid, TimeSpan.FromSeconds(5), force: false, CancellationToken.None)
                    .ContinueWith(_ => { }, TaskScheduler.Default)));
            await processes.TerminateAllAsync(TimeSpan.FromSeconds(1));
        }

        await _stopping.CancelAsync();

        await Task.WhenAll(_watchers.Values).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Launches the instance's process; returns once it runs (the instance is initializing). Throws 1004 when it cannot start.</summary>
    public async Task LaunchAsync(string componentId, Guid instanceUuid, bool restart, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(componentId) ?? throw TektonException.ComponentNotFound(componentId);
        var launch = view.Launch ?? throw new TektonException(ErrorCode.StartupFailed, $"Component '{componentId}' has no launch spec; it must start itself.");
        var environment = new Dictionary<string, string>(launch.Env, StringComparer.Ordinal)
        {
            ["TEKTON_URL"] = address.Url,
            ["TEKTON_COMPONENT_ID"] = componentId,
            ["TEKTON_INSTANCE_UUID"] = instanceUuid.ToString(),
        };
        if (auth.Value.Enabled)
        {
            // The process registers and heartbeats as its own component, and as nothing else.
            environment["TEKTON_API_KEY"] = await keys.RenewLaunchKeyAsync(componentId, cancellationToken);
        }

        LaunchedProcess process;
        try
        {
            process = processes.Launch(new LaunchRequest(componentId, instanceUuid, launch, environment));
        }
        catch (TektonException exception)
        {
            await FailAsync(componentId, instanceUuid, exception.Message, cancellationToken);
            throw;
        }

        var recorded = await writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId);
                if (component?.FindInstance(instanceUuid) is not { } instance)
                {
                    return false;
                }

                write.Record(instance.Launched(process.Pid, process.StartTicks, restart, component.ComponentType, write.Now));
                return true;
            },
            CancellationToken.None);

        if (!recorded)
        {
            // Deregistered while launching: the process has no instance to belong to.
            await processes.TerminateAsync(instanceUuid, TimeSpan.Zero, force: true, CancellationToken.None);
            throw TektonException.ComponentNotFound(componentId);
        }

        LogLaunched(componentId, instanceUuid, process.Pid, restart);
        Watch(componentId, instanceUuid);
    }

    /// <summary>Takes over a process that an earlier run of Tekton launched; false when it is gone.</summary>
    public bool Adopt(string componentId, Guid instanceUuid, int pid, long startTicks)
    {
        if (!processes.Adopt(instanceUuid, pid, startTicks))
        {
            return false;
        }

        LogAdopted(componentId, instanceUuid, pid);
        Watch(componentId, instanceUuid);
        return true;
    }

    /// <summary>Stops every instance of a component that may still run, before it leaves the registry (design §5).</summary>
    public async Task StopAllAsync(string componentId, CancellationToken cancellationToken)
    {
        if (projection.Current.Find(componentId) is not { } view)
        {
            return;
        }

        var timeout = TimeSpan.FromSeconds(view.Launch?.StopTimeout ?? 30);
        foreach (var instance in view.Instances.Where(i => i.Status.IsLive() || processes.IsRunning(i.InstanceUuid)))
        {
            if (processes.IsRunning(instance.InstanceUuid))
            {
                await StopInstanceAsync(componentId, instance.InstanceUuid, timeout, force: false, cancellationToken);
            }
            else
            {
                signals.Post(instance.InstanceUuid, new ControlSignal("shutdown", false, timeout.TotalSeconds, clock.GetUtcNow()));
            }
        }
    }

    /// <summary>
    /// An instance whose process ended while Tekton was down: it is failed, and its restart policy decides
    /// whether a new process is launched.
    /// </summary>
    public async Task RecoverLostAsync(string componentId, Guid instanceUuid, CancellationToken cancellationToken)
    {
        var decision = await writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId);
                if (component?.FindInstance(instanceUuid) is not { } instance
                    || instance.Fail("process ended while Tekton was down", component.ComponentType, write.Now) is not { } change)
                {
                    return null;
                }

                write.Record(change);
                return component.Launch is { } launch ? RestartDecision.Decide(launch, null, instance.Restarts, TimeSpan.Zero, write.Now) : null;
            },
            cancellationToken);

        if (decision is { Restart: true })
        {
            await LaunchAsync(componentId, instanceUuid, restart: true, cancellationToken);
        }
    }

    /// <summary>
    /// Stops one instance (design §6.3): posts the shutdown signal, then ends a supervised process with SIGTERM
    /// and, after <paramref name="timeout"/>, SIGKILL; an external instance must report itself stopped in time (else 1006).
    /// </summary>
    public async Task StopInstanceAsync(string componentId, Guid instanceUuid, TimeSpan timeout, bool force, CancellationToken cancellationToken)
    {
        if (_pendingRestarts.TryRemove(instanceUuid, out var pendingRestart))
        {
            await pendingRestart.CancelAsync();
        }

        var (launchedByTekton, everRan) = await writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId) ?? throw TektonException.ComponentNotFound(componentId);
                var instance = component.FindInstance(instanceUuid) ?? throw TektonException.InstanceNotFound(componentId, instanceUuid);
                var ran = instance.LaunchedAt is not null || instance.ReadyAt is not null || instance.LastHeartbeat is not null
                    || instance.Status is ComponentState.Ready or ComponentState.Degraded;
                if (instance.BeginStopping(component.ComponentType, write.Now, force ? "stop (force)" : "stop requested") is { } change)
                {
                    write.Record(change);
                }

                return (instance.IsSupervised || instance.LaunchedAt is not null, ran);
            },
            cancellationToken);

        signals.Post(instanceUuid, new ControlSignal("shutdown", force, timeout.TotalSeconds, clock.GetUtcNow()));
        if (processes.IsRunning(instanceUuid))
        {
            await processes.TerminateAsync(instanceUuid, timeout, force, cancellationToken);
            await projection.WaitUntilAsync(s => IsStopped(s, componentId, instanceUuid), TimeSpan.FromSeconds(10), clock, cancellationToken);
        }
        else if (launchedByTekton || force || !everRan)
        {
            // Nothing to wait for: Tekton's process for it is not running (it ended, or waits to be restarted),
            // or the instance never showed a sign of running.
            var reason = launchedByTekton ? "process not running" : force ? "stopped (force)" : "stopped (never reported running)";
            await MarkStoppedAsync(componentId, instanceUuid, reason, cancellationToken);
        }
        else if (!await projection.WaitUntilAsync(s => IsStopped(s, componentId, instanceUuid), timeout, clock, cancellationToken))
        {
            throw new TektonException(ErrorCode.Timeout,
                $"Instance '{instanceUuid}' of '{componentId}' did not report 'stopped' within {timeout.TotalSeconds} s; Tekton does not run its process, so it cannot end it.");
        }

        signals.Clear(instanceUuid);
    }

    private static bool IsStopped(RegistrySnapshot snapshot, string componentId, Guid instanceUuid) =>
        snapshot.Find(componentId)?.FindInstance(instanceUuid) is not { } instance || instance.Status == ComponentState.Stopped;

    private void Watch(string componentId, Guid instanceUuid)
    {
        var watcher = Task.Run(() => SuperviseAsync(componentId, instanceUuid, _stopping.Token));
        _watchers[instanceUuid] = watcher;
        _ = watcher.ContinueWith(_ => _watchers.TryRemove(new KeyValuePair<Guid, Task>(instanceUuid, watcher)), TaskScheduler.Default);
    }

    private async Task SuperviseAsync(string componentId, Guid instanceUuid, CancellationToken stopping)
    {
        try
        {
            using var readinessWatch = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var readiness = AwaitReadinessAsync(componentId, instanceUuid, readinessWatch.Token);
            var exitCode = await processes.WaitForExitAsync(instanceUuid, stopping);
            await readinessWatch.CancelAsync();
            await readiness.ContinueWith(_ => { }, TaskScheduler.Default);
            await OnExitedAsync(componentId, instanceUuid, exitCode, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Tekton is stopping; the process is left running to be re-adopted, unless configured otherwise.
        }
        catch (Exception exception)
        {
            LogWatchFailed(exception, componentId, instanceUuid);
        }
    }

    /// <summary>Ready = it says so, or its health check answers 2xx, or (without a health check) it stays up; failed at startup_timeout.</summary>
    private async Task AwaitReadinessAsync(string componentId, Guid instanceUuid, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(componentId);
        if (view?.Launch is not { } launch || view.FindInstance(instanceUuid)?.Status != ComponentState.Initializing)
        {
            return;
        }

        // The startup timeout runs on the monotonic clock, so a jump of the wall clock neither fails nor stretches a start.
        var started = clock.GetTimestamp();
        var startupTimeout = TimeSpan.FromSeconds(launch.StartupTimeout);
        bool Initializing(RegistrySnapshot s) => s.Find(componentId)?.FindInstance(instanceUuid)?.Status == ComponentState.Initializing;
        if (view is { HealthCheck: { } path, Port: { } port })
        {
            var timeout = TimeSpan.FromSeconds(options.Value.HealthCheckTimeoutSeconds);
            while (Initializing(projection.Current) && clock.GetElapsedTime(started) < startupTimeout)
            {
                var result = await probe.ProbeAsync(view.Host, port, path, timeout, cancellationToken);
                if (result.Healthy)
                {
                    await MarkReadyAsync(componentId, instanceUuid, "health check passed");
                    return;
                }

                await projection.WaitUntilAsync(s => !Initializing(s), TimeSpan.FromMilliseconds(250), clock, cancellationToken);
            }
        }
        else
        {
            var readyAfter = TimeSpan.FromSeconds(Math.Min(options.Value.ReadyAfterSeconds, launch.StartupTimeout));
            if (!await projection.WaitUntilAsync(s => !Initializing(s), readyAfter, clock, cancellationToken) && processes.IsRunning(instanceUuid))
            {
                await MarkReadyAsync(componentId, instanceUuid, $"running for {readyAfter.TotalSeconds:0.#} s");
            }

            return;
        }

        if (Initializing(projection.Current))
        {
            await FailAsync(componentId, instanceUuid, $"{ComponentInstance.StartupTimeout}: not ready within {launch.StartupTimeout} s", CancellationToken.None);
            await processes.TerminateAsync(instanceUuid, TimeSpan.Zero, force: true, CancellationToken.None);
        }
    }

    private async Task OnExitedAsync(string componentId, Guid instanceUuid, int? exitCode, CancellationToken stopping)
    {
        var decision = await writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId);
                if (component?.FindInstance(instanceUuid) is not { } instance)
                {
                    return null;
                }

                // A process that ended on its own follows its restart policy, unless a stop was asked for or
                // Tekton ended it for not becoming ready in time.
                var onItsOwn = instance.Status is not (ComponentState.Stopping or ComponentState.Stopped)
                    && !(instance.Status == ComponentState.Failed && instance.StatusReason?.StartsWith(ComponentInstance.StartupTimeout, StringComparison.Ordinal) == true);
                var uptime = write.Now - (instance.LaunchedAt ?? write.Now);
                if (instance.Exited(exitCode, component.ComponentType, write.Now) is { } change)
                {
                    write.Record(change);
                }

                return onItsOwn && component.Launch is { } launch
                    ? RestartDecision.Decide(launch, exitCode, instance.Restarts, uptime, write.Now)
                    : null;
            },
            CancellationToken.None);

        LogExited(componentId, instanceUuid, exitCode, decision?.Reason ?? "no restart");
        if (decision is not { Restart: true })
        {
            return;
        }

        using var pending = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _pendingRestarts[instanceUuid] = pending;
        try
        {
            await Task.Delay(decision.Delay, clock, pending.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            _pendingRestarts.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(instanceUuid, pending));
        }

        // Restart only if nothing changed meanwhile: still ended, and no newer instance was started instead.
        if (projection.Current.Find(componentId) is { Current: { Status: ComponentState.Failed or ComponentState.Stopped } current } && current.InstanceUuid == instanceUuid)
        {
            try
            {
                await LaunchAsync(componentId, instanceUuid, restart: true, stopping);
            }
            catch (TektonException exception)
            {
                LogRestartFailed(componentId, instanceUuid, exception.Message);
            }
        }
    }

    private ValueTask<bool> MarkReadyAsync(string componentId, Guid instanceUuid, string reason) =>
        Change(componentId, instanceUuid, (instance, type, now) => instance.BecameReady(type, now, reason), CancellationToken.None);

    private ValueTask<bool> MarkStoppedAsync(string componentId, Guid instanceUuid, string reason, CancellationToken cancellationToken) =>
        Change(componentId, instanceUuid, (instance, type, now) => instance.Stopped(type, now, reason), cancellationToken);

    private ValueTask<bool> FailAsync(string componentId, Guid instanceUuid, string reason, CancellationToken cancellationToken) =>
        Change(componentId, instanceUuid, (instance, type, now) => instance.Fail(reason, type, now), cancellationToken);

    private ValueTask<bool> Change(
        string componentId, Guid instanceUuid, Func<ComponentInstance, string, DateTimeOffset, StateChange?> change, CancellationToken cancellationToken) =>
        writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId);
                if (component?.FindInstance(instanceUuid) is not { } instance || change(instance, component.ComponentType, write.Now) is not { } recorded)
                {
                    return false;
                }

                write.Record(recorded);
                return true;
            },
            cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Launched {ComponentId} instance {InstanceUuid} as pid {Pid} (restart: {Restart})")]
    private partial void LogLaunched(string componentId, Guid instanceUuid, int pid, bool restart);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-adopted {ComponentId} instance {InstanceUuid}, pid {Pid}")]
    private partial void LogAdopted(string componentId, Guid instanceUuid, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ComponentId} instance {InstanceUuid} exited with code {ExitCode}: {Decision}")]
    private partial void LogExited(string componentId, Guid instanceUuid, int? exitCode, string decision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restarting {ComponentId} instance {InstanceUuid} failed: {Reason}")]
    private partial void LogRestartFailed(string componentId, Guid instanceUuid, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Watching {ComponentId} instance {InstanceUuid} failed")]
    private partial void LogWatchFailed(Exception exception, string componentId, Guid instanceUuid);
}
