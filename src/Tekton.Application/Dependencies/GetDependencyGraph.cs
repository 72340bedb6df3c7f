using System.ComponentModel;
using Mediator;
using Tekton.Application.Common;

namespace Tekton.Application.Dependencies;

/// <summary>The whole dependency graph (design §7).</summary>
public sealed record GetDependencyGraph : IQuery<DependencyGraphResponse>;

public sealed record DependencyGraphResponse(
    [property: Description("Every registered component and the ids it declares as dependencies")] IReadOnlyDictionary<string, IReadOnlyList<string>> Dependencies,
    [property: Description("Dependencies first; ties by registration time; components in or behind a cycle are left out")] IReadOnlyList<string> StartupOrder,
    [property: Description("Each cycle as ids in dependency order, starting at its oldest member")] IReadOnlyList<IReadOnlyList<string>> CircularDependencies,
    [property: Description("Components that declare dependencies that are not registered, with those ids")] IReadOnlyDictionary<string, IReadOnlyList<string>> MissingDependencies);

public sealed class GetDependencyGraphHandler(RegistryProjection projection) : IQueryHandler<GetDependencyGraph, DependencyGraphResponse>
{
    public ValueTask<DependencyGraphResponse> Handle(GetDependencyGraph query, CancellationToken cancellationToken)
    {
        var snapshot = projection.Current;
        var analysis = snapshot.Dependencies;
        var dependencies = new Dictionary<string, IReadOnlyList<string>>(snapshot.Count, StringComparer.Ordinal);
        foreach (var component in snapshot.InRegistrationOrder)
        {
            dependencies[component.ComponentId] = component.Dependencies;
        }

        var missing = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var component in snapshot.InRegistrationOrder)
        {
            if (analysis.Missing.TryGetValue(component.ComponentId, out var absent))
            {
                missing[component.ComponentId] = absent;
            }
        }

        return ValueTask.FromResult(new DependencyGraphResponse(dependencies, analysis.StartupOrder, analysis.Cycles, missing));
    }
}
