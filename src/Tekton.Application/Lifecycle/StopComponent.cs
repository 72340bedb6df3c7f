using System.ComponentModel;
using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>The body of <c>POST /api/tekton/components/{id}/stop</c>: the reference's fields plus <c>cascade</c>.</summary>
public sealed record StopBody
{
    [Description("Stop only this instance; default: every running instance of the component")]
    public Guid? InstanceUuid { get; init; }

    [Description("Kill at once (SIGKILL) and ignore running dependents")]
    public bool? Force { get; init; }

    [Description("Seconds between SIGTERM and SIGKILL (default: the launch spec's stop_timeout, else 30)")]
    public double? Timeout { get; init; }

    [Description("Stop running dependents first, in reverse startup order")]
    public bool? Cascade { get; init; }
}

/// <summary>
/// Stops a component's instances (design §6.3); running dependents block it (1003) unless cascade or force.
/// <see cref="Forwarded"/>: another node handed it here, so it is never handed on again.
/// </summary>
public sealed record StopComponent(string ComponentId, StopBody Body, bool Forwarded = false) : ICommand<OperationResult>;

public sealed class StopComponentValidator : AbstractValidator<StopComponent>
{
    public StopComponentValidator() =>
        RuleFor(s => s.Body.Timeout).InclusiveBetween(0, 3600).When(s => s.Body.Timeout is not null)
            .OverridePropertyName("timeout").WithMessage("timeout must be between 0 and 3600 seconds.");
}

public sealed class StopComponentHandler(InstanceRunner runner, RegistryProjection projection, LocalNode node, IRemoteLifecycle? remote = null)
    : ICommandHandler<StopComponent, OperationResult>
{
    public async ValueTask<OperationResult> Handle(StopComponent command, CancellationToken cancellationToken)
    {
        var snapshot = projection.Current;
        var view = snapshot.Find(command.ComponentId) ?? throw TektonException.ComponentNotFound(command.ComponentId);
        if (remote is not null && view.Launch is { Node: { } owner } launch && !launch.RunsOn(node.Name))
        {
            // The node that runs the process ends it.
            return command.Forwarded
                ? throw LocalNode.NotHere(command.ComponentId, node.Name, owner, "stop")
                : await remote.StopAsync(owner, command, cancellationToken);
        }

        var force = command.Body.Force ?? false;
        var targets = command.Body.InstanceUuid is { } uuid
            ? [view.FindInstance(uuid) ?? throw TektonException.InstanceNotFound(command.ComponentId, uuid)]
            : view.Instances.Where(MayRun).ToList();
        if (targets.All(i => i.Status == ComponentState.Stopped))
        {
            return new OperationResult(true, "Component already stopped");
        }

        var dependents = RunningDependents(snapshot, command.ComponentId);
        if (dependents.Count > 0 && !force && command.Body.Cascade != true)
        {
            throw new TektonException(ErrorCode.DependencyResolutionFailed,
                $"Cannot stop '{command.ComponentId}': running components depend on it: {string.Join(", ", dependents)}. Stop them first, or use cascade.",
                new Dictionary<string, object?> { ["running_dependents"] = dependents.ToArray() });
        }

        if (command.Body.Cascade == true)
        {
            // Dependents first, latest in startup order first.
            var order = snapshot.Dependencies.StartupOrder.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index, StringComparer.Ordinal);
            foreach (var dependent in dependents.OrderByDescending(d => order.GetValueOrDefault(d, int.MaxValue)))
            {
                await StopAllAsync(projection.Current.Find(dependent), command.Body, force, cancellationToken);
            }
        }

        foreach (var instance in targets.Where(i => i.Status != ComponentState.Stopped))
        {
            await runner.StopInstanceAsync(command.ComponentId, instance.InstanceUuid, Timeout(view, command.Body), force, cancellationToken);
        }

        return new OperationResult(true, "Component stopped successfully");
    }

    /// <summary>Live instances, and failed ones that Tekton launched and may still restart.</summary>
    private static bool MayRun(InstanceView instance) =>
        instance.Status.IsLive() || (instance.Status == ComponentState.Failed && instance.LaunchedAt is not null);

    private async Task StopAllAsync(ComponentView? view, StopBody body, bool force, CancellationToken cancellationToken)
    {
        foreach (var instance in view?.Instances.Where(MayRun) ?? [])
        {
            await runner.StopInstanceAsync(view!.ComponentId, instance.InstanceUuid, Timeout(view, body), force, cancellationToken);
        }
    }

    private static TimeSpan Timeout(ComponentView view, StopBody body) =>
        TimeSpan.FromSeconds(body.Timeout ?? view.Launch?.StopTimeout ?? 30);

    /// <summary>Every component that depends on this one, directly or not, and has an instance that runs.</summary>
    private static List<string> RunningDependents(RegistrySnapshot snapshot, string componentId)
    {
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { componentId };
        var queue = new Queue<string>([componentId]);
        while (queue.TryDequeue(out var id))
        {
            foreach (var dependent in snapshot.Dependencies.DependentsOf(id))
            {
                if (seen.Add(dependent))
                {
                    queue.Enqueue(dependent);
                    if (snapshot.Find(dependent)?.Instances.Any(i => i.Status is ComponentState.Initializing or ComponentState.Ready or ComponentState.Degraded) == true)
                    {
                        found.Add(dependent);
                    }
                }
            }
        }

        return found;
    }
}
