using Mediator;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Errors;

namespace Tekton.Application.Components;

/// <summary>Removes a component and its instances from the registry.</summary>
public sealed record DeregisterComponent(string ComponentId) : ICommand<OperationResult>;

public sealed class DeregisterComponentHandler(IRegistryWriter writer, HeartbeatTable heartbeats, InstanceRunner runner, Security.ApiKeys keys)
    : ICommandHandler<DeregisterComponent, OperationResult>
{
    public async ValueTask<OperationResult> Handle(DeregisterComponent command, CancellationToken cancellationToken)
    {
        // Supervised processes are stopped first; external instances get the shutdown signal.
        await runner.StopAllAsync(command.ComponentId, cancellationToken);
        var instances = await writer.WriteAsync(
            write =>
            {
                var component = write.Find(command.ComponentId) ?? throw TektonException.ComponentNotFound(command.ComponentId);
                var uuids = component.Instances.Select(i => i.InstanceUuid).ToArray();
                write.Record(component.Deregistered(write.Now));
                write.Remove(component);
                return uuids;
            },
            cancellationToken);

        heartbeats.Forget(instances);
        await keys.DeleteLaunchKeysAsync(command.ComponentId, CancellationToken.None);
        return new OperationResult(true, "Component deregistered successfully");
    }
}
