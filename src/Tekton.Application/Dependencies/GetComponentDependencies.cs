using System.ComponentModel;
using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Errors;

namespace Tekton.Application.Dependencies;

/// <summary>What one component needs and what needs it.</summary>
public sealed record GetComponentDependencies(string ComponentId) : IQuery<ComponentDependenciesResponse>;

public sealed record ComponentDependenciesResponse(
    string ComponentId,
    [property: Description("The ids this component declares as dependencies")] IReadOnlyList<string> DependsOn,
    [property: Description("Registered components that declare this one as a direct dependency, in registration order")] IReadOnlyList<string> DependentComponents);

public sealed class GetComponentDependenciesHandler(RegistryProjection projection)
    : IQueryHandler<GetComponentDependencies, ComponentDependenciesResponse>
{
    public ValueTask<ComponentDependenciesResponse> Handle(GetComponentDependencies query, CancellationToken cancellationToken)
    {
        var snapshot = projection.Current;
        var view = snapshot.Find(query.ComponentId) ?? throw TektonException.ComponentNotFound(query.ComponentId);
        return ValueTask.FromResult(new ComponentDependenciesResponse(
            view.ComponentId, view.Dependencies, snapshot.Dependencies.DependentsOf(view.ComponentId)));
    }
}
