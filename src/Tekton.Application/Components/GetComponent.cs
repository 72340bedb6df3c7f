using Mediator;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Errors;

namespace Tekton.Application.Components;

/// <summary>The details of one component, with its instances.</summary>
public sealed record GetComponent(string ComponentId) : IQuery<ComponentDetails>;

public sealed class GetComponentHandler(RegistryProjection projection, HeartbeatTable heartbeats, TimeProvider clock)
    : IQueryHandler<GetComponent, ComponentDetails>
{
    public ValueTask<ComponentDetails> Handle(GetComponent query, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(query.ComponentId) ?? throw TektonException.ComponentNotFound(query.ComponentId);
        return ValueTask.FromResult(ComponentResponses.Details(view, heartbeats, clock.GetUtcNow()));
    }
}
