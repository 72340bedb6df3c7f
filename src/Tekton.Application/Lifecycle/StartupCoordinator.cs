using System.Collections.Concurrent;
using Tekton.Application.Common;
using Tekton.Application.Resources;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;
using Tekton.Domain.Resources;

namespace Tekton.Application.Lifecycle;

/// <summary>A start under way: the instance that will run, and a task that completes when it is ready (or fails with the Tekton error).</summary>
public sealed record StartOperation(Guid InstanceUuid, Task Completion, bool AlreadyRunning);

/// <summary>
/// Starts a component the way design §6.3 and §7 say: every transitive dependency that is not ready first, in
/// startup order, each waited for; external dependencies (no launch spec) waited for up to the dependency
/// timeout; then the component itself. One start per component at a time: a second request joins the first.
/// </summary>
public sealed class StartupCoordinator(
    InstanceRunner runner,
    IRegistryWriter writer,
    RegistryProjection projection,
    IProcessSupervisor processes,
    ResourceMonitor resources,
    TimeProvider clock,
    LocalNode node)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, StartOperation> _starting = new(StringComparer.Ordinal);

    /// <summary>Checks the start can work, creates the instance, and begins; errors found up front are thrown here.</summary>
    public async Task<StartOperation> StartAsync(string componentId, TimeSpan dependencyTimeout, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_starting.TryGetValue(componentId, out var joined))
            {
                return joined;
            }

            var snapshot = projection.Current;
            var view = snapshot.Find(componentId) ?? throw TektonException.ComponentNotFound(componentId);
            var dependencies = Plan(snapshot, view);
            if (view.Current is { } current && current.Status.SatisfiesDependents())
            {
                return new StartOperation(current.InstanceUuid, Task.CompletedTask, AlreadyRunning: true);
            }

            if (view.Current is { Status: ComponentState.Initializing } initializing && processes.IsRunning(initializing.InstanceUuid))
            {
                // Its process is already starting (a restart, or a start by someone else): join it, never launch a second copy.
                return new StartOperation(initializing.InstanceUuid, ReadyAsync(componentId, initializing.InstanceUuid, runner.Stopping), AlreadyRunning: false);
            }

            if (view.Current is { Status: ComponentState.Stopping } stopping)
            {
                throw new TektonException(ErrorCode.InvalidStateTransition,
                    $"Component '{componentId}' is stopping (instance {stopping.InstanceUuid}); start it again once it has stopped.");
            }

            await CheckRequirementsAsync(snapshot, view, dependencies, cancellationToken);

            var instanceUuid = await writer.WriteAsync(
                write =>
                {
                    var component = write.Find(componentId) ?? throw TektonException.ComponentNotFound(componentId);

                    // The instance its registration created, never launched, is the one to launch.
                    if (component.CurrentInstance is { Status: ComponentState.Registered, LaunchedAt: null } registered)
                    {
                        return registered.InstanceUuid;
                    }

                    var (instance, change) = component.AddInstance(ComponentInstance.NewUuid(), write.Now);
                    write.Add(instance);
                    write.Record(change);
                    return instance.InstanceUuid;
                },
                cancellationToken);

            var completion = RunAsync(componentId, instanceUuid, dependencies, dependencyTimeout, runner.Stopping);
            var operation = new StartOperation(instanceUuid, completion, AlreadyRunning: false);
            _starting[componentId] = operation;
            _ = completion.ContinueWith(_ => Forget(componentId, operation), TaskScheduler.Default);
            return operation;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The dependencies to bring up first, in startup order; throws 1005, 1003 or 1004 when the start cannot work.</summary>
    private List<string> Plan(RegistrySnapshot snapshot, ComponentView target)
    {
        var analysis = snapshot.Dependencies;
        if (analysis.CycleContaining(target.ComponentId) is { } own)
        {
            throw Cycle($"Component '{target.ComponentId}' is in a dependency cycle: {string.Join(" -> ", own)}.", own);
        }

        var closure = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var queue = new Queue<string>([target.ComponentId]);
        while (queue.TryDequeue(out var id))
        {
            foreach (var dependency in snapshot.Find(id)!.Dependencies)
            {
                if (snapshot.Find(dependency) is null)
                {
                    missing.Add($"{dependency} (needed by {id})");
                }
                else if (closure.Add(dependency))
                {
                    if (analysis.CycleContaining(dependency) is { } cycle)
                    {
                        throw Cycle($"Component '{target.ComponentId}' depends on a dependency cycle: {string.Join(" -> ", cycle)}.", cycle);
                    }

                    queue.Enqueue(dependency);
                }
            }
        }

        if (missing.Count > 0)
        {
            throw new TektonException(ErrorCode.DependencyResolutionFailed,
                $"Cannot start '{target.ComponentId}': dependencies not registered: {string.Join(", ", missing)}.",
                new Dictionary<string, object?> { ["missing_dependencies"] = missing.ToArray() });
        }

        if (target.Launch is not { } launch)
        {
            throw new TektonException(ErrorCode.StartupFailed, $"Component '{target.ComponentId}' has no launch spec; it must start itself.");
        }

        if (!launch.RunsOn(node.Name))
        {
            throw new TektonException(ErrorCode.StartupFailed, $"Component '{target.ComponentId}' runs on node '{launch.Node}', not on this node ('{node.Name}').");
        }

        if (processes.FindExecutable(launch) is null)
        {
            throw new TektonException(ErrorCode.StartupFailed, $"Cannot start '{target.ComponentId}': executable '{launch.Command}' not found.");
        }

        var ordered = analysis.StartupOrder.Where(closure.Contains).ToList();
        foreach (var id in ordered)
        {
            var dependency = snapshot.Find(id)!;
            if (dependency.Status.SatisfiesDependents() || dependency.Launch is not { } dependencyLaunch || !dependencyLaunch.RunsOn(node.Name))
            {
                continue;
            }

            if (processes.FindExecutable(dependencyLaunch) is null)
            {
                throw DependencyFailed(target.ComponentId, id, $"executable '{dependencyLaunch.Command}' not found");
            }
        }

        return ordered;
    }

    /// <summary>Throws 1007 when what this start will launch needs more than is free now (design §8.3).</summary>
    private async Task CheckRequirementsAsync(RegistrySnapshot snapshot, ComponentView target, List<string> dependencies, CancellationToken cancellationToken)
    {
        var starting = dependencies.Select(snapshot.Find).OfType<ComponentView>()
            .Where(d => !d.Status.SatisfiesDependents() && d.Launch is not null)
            .Append(target)
            .Where(c => c.Requirements is not null)
            .Select(c => (c.ComponentId, c.Requirements!))
            .ToList();
        if (starting.Count == 0)
        {
            return;
        }

        var unmet = RequirementCheck.Unmet(starting, await resources.FreeAsync(cancellationToken));
        if (unmet.Count > 0)
        {
            throw new TektonException(ErrorCode.ResourceConstraintViolated,
                $"Cannot start '{target.ComponentId}': {string.Join(" ", unmet.Select(u => u.Message))}",
                new Dictionary<string, object?> { ["unmet_requirements"] = unmet.ToArray() });
        }
    }

    private async Task RunAsync(string componentId, Guid instanceUuid, List<string> dependencies, TimeSpan dependencyTimeout, CancellationToken stopping)
    {
        await Task.Yield();
        foreach (var dependency in dependencies)
        {
            var view = projection.Current.Find(dependency);
            if (view is null || view.Status.SatisfiesDependents())
            {
                continue;
            }

            try
            {
                if (view.Launch is null || !view.Launch.RunsOn(node.Name))
                {
                    // Started by itself, or by the node that runs it: waited for here.
                    if (!await projection.WaitUntilAsync(s => s.Find(dependency)?.Status.SatisfiesDependents() == true, dependencyTimeout, clock, stopping))
                    {
                        throw new TektonException(ErrorCode.Timeout, $"not ready after {dependencyTimeout.TotalSeconds} s (it has no launch spec, so Tekton waits for it)");
                    }
                }
                else
                {
                    var started = await StartAsync(dependency, dependencyTimeout, stopping);
                    await started.Completion;
                }
            }
            catch (TektonException exception)
            {
                var failure = DependencyFailed(componentId, dependency, exception.Message);
                await MarkFailedAsync(componentId, instanceUuid, failure.Message);
                throw failure;
            }
        }

        await runner.LaunchAsync(componentId, instanceUuid, restart: false, stopping);
        await ReadyAsync(componentId, instanceUuid, stopping);
    }

    /// <summary>Completes when the instance is ready; throws 1004 with its reason when it failed instead.</summary>
    private async Task ReadyAsync(string componentId, Guid instanceUuid, CancellationToken stopping)
    {
        await projection.WaitUntilAsync(s => !Starting(s, componentId, instanceUuid), TimeSpan.FromDays(1), clock, stopping);
        var instance = projection.Current.Find(componentId)?.FindInstance(instanceUuid);
        if (instance?.Status.SatisfiesDependents() != true)
        {
            throw new TektonException(ErrorCode.StartupFailed,
                $"Component '{componentId}' did not become ready: {instance?.StatusReason ?? "it was removed"}.",
                new Dictionary<string, object?> { ["instance_uuid"] = instanceUuid, ["exit_code"] = instance?.ExitCode });
        }
    }

    private static bool Starting(RegistrySnapshot snapshot, string componentId, Guid instanceUuid) =>
        snapshot.Find(componentId)?.FindInstance(instanceUuid)?.Status is ComponentState.Registered or ComponentState.Initializing;

    private ValueTask<bool> MarkFailedAsync(string componentId, Guid instanceUuid, string reason) =>
        writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId);
                if (component?.FindInstance(instanceUuid)?.Fail(reason.Length > 256 ? reason[..256] : reason, component.ComponentType, write.Now) is not { } change)
                {
                    return false;
                }

                write.Record(change);
                return true;
            },
            CancellationToken.None);

    /// <summary>Removes the finished operation, never a newer one for the same component.</summary>
    private void Forget(string componentId, StartOperation operation) =>
        _starting.TryRemove(new KeyValuePair<string, StartOperation>(componentId, operation));

    private static TektonException Cycle(string message, IReadOnlyList<string> cycle) =>
        new(ErrorCode.CircularDependency, message, new Dictionary<string, object?> { ["cycle"] = cycle.ToArray() });

    private static TektonException DependencyFailed(string componentId, string dependency, string why) =>
        new(ErrorCode.DependencyResolutionFailed, $"Cannot start '{componentId}': dependency '{dependency}' failed: {why}",
            new Dictionary<string, object?> { ["dependency"] = dependency });
}
