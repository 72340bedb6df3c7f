using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Dependencies;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>The dependency graph (design §7).</summary>
public static class Dependencies
{
    public static void MapDependencyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tekton/dependencies", GetDependencyGraph)
            .RequirePermission(Permission.Read)
            .WithTags("Dependencies")
            .WithName(nameof(GetDependencyGraph))
            .WithSummary("Get the dependency graph")
            .WithDescription("Declared dependencies of every component, the startup order (Kahn's algorithm, ties by registration time), " +
                "every cycle, and the dependencies that are not registered.");

        app.MapGet("/api/tekton/components/{component_id}/dependencies", GetComponentDependencies)
            .RequirePermission(Permission.Read)
            .WithTags("Dependencies")
            .WithName(nameof(GetComponentDependencies))
            .WithSummary("Get a component's dependencies")
            .WithDescription("What the component declares (`depends_on`) and which components declare it (`dependent_components`). Error 1001 when not registered.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<Ok<DependencyGraphResponse>> GetDependencyGraph(ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetDependencyGraph(), cancellationToken));

    public static async Task<Ok<ComponentDependenciesResponse>> GetComponentDependencies(
        ISender sender, [FromRoute(Name = "component_id")] string componentId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetComponentDependencies(componentId), cancellationToken));
}
