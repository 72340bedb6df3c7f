using Mediator;

namespace Tekton.Application.Resources;

/// <summary>The latest sample of the machine (design §8.1); answered from memory, never by probing.</summary>
public sealed record GetSystemResources : IQuery<SystemResources>;

public sealed class GetSystemResourcesHandler(ResourceMonitor monitor) : IQueryHandler<GetSystemResources, SystemResources>
{
    public ValueTask<SystemResources> Handle(GetSystemResources query, CancellationToken cancellationToken) =>
        monitor.CurrentAsync(cancellationToken);
}
