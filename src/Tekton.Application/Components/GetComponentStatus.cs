using Mediator;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Errors;

namespace Tekton.Application.Components;

/// <summary>The status of one component: its current instance, heartbeat, uptime and health.</summary>
public sealed record GetComponentStatus(string ComponentId) : IQuery<ComponentStatusResponse>;

public sealed class GetComponentStatusHandler(RegistryProjection projection, HeartbeatTable heartbeats, HealthTable checks, TimeProvider clock)
    : IQueryHandler<GetComponentStatus, ComponentStatusResponse>
{
    public ValueTask<ComponentStatusResponse> Handle(GetComponentStatus query, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(query.ComponentId) ?? throw TektonException.ComponentNotFound(query.ComponentId);
        return ValueTask.FromResult(ComponentResponses.Status(view, heartbeats, checks, clock.GetUtcNow()));
    }
}
