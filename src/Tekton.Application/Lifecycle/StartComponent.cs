using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>
/// Starts a component and, first, its dependencies (design §6.3). With <see cref="Wait"/> it answers when ready or
/// failed. <see cref="Forwarded"/>: another node handed it here, so it is never handed on again.
/// </summary>
public sealed record StartComponent(string ComponentId, bool Wait, double? DependencyTimeout, bool Forwarded = false) : ICommand<StartComponentResult>;

public sealed record StartComponentResult(bool Success, string Message, Guid InstanceUuid);

public sealed class StartComponentValidator : AbstractValidator<StartComponent>
{
    public StartComponentValidator() =>
        RuleFor(s => s.DependencyTimeout).InclusiveBetween(0, 3600).When(s => s.DependencyTimeout is not null)
            .OverridePropertyName("dependency_timeout").WithMessage("dependency_timeout must be between 0 and 3600 seconds.");
}

public sealed class StartComponentHandler(
    StartupCoordinator coordinator,
    IOptions<SupervisionOptions> options,
    RegistryProjection projection,
    LocalNode node,
    IRemoteLifecycle? remote = null)
    : ICommandHandler<StartComponent, StartComponentResult>
{
    public async ValueTask<StartComponentResult> Handle(StartComponent command, CancellationToken cancellationToken)
    {
        // With several nodes, the node that runs the component carries out its start.
        if (remote is not null && projection.Current.Find(command.ComponentId)?.Launch is { Node: { } owner } launch && !launch.RunsOn(node.Name))
        {
            return command.Forwarded
                ? throw LocalNode.NotHere(command.ComponentId, node.Name, owner, "start")
                : await remote.StartAsync(owner, command, cancellationToken);
        }

        var dependencyTimeout = TimeSpan.FromSeconds(command.DependencyTimeout ?? options.Value.DependencyTimeoutSeconds);
        var operation = await coordinator.StartAsync(command.ComponentId, dependencyTimeout, cancellationToken);
        if (operation.AlreadyRunning)
        {
            return new StartComponentResult(true, "Component already running", operation.InstanceUuid);
        }

        if (!command.Wait)
        {
            return new StartComponentResult(true, "Component starting", operation.InstanceUuid);
        }

        try
        {
            await operation.Completion.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryWriteFailedException("Tekton is shutting down; the start was abandoned.");
        }

        return new StartComponentResult(true, "Component started", operation.InstanceUuid);
    }
}
