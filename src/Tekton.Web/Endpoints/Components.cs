using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Common;
using Tekton.Application.Components;
using Tekton.Domain.Errors;
using Tekton.Web.Infrastructure;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>The component registry: register, list, read, status, deregister.</summary>
public static class Components
{
    /// <summary>The registry's path: a registration is posted here, a component's details are under it.</summary>
    internal const string Path = "/api/tekton/components";

    /// <summary>The header that makes a registration's retry get the first answer.</summary>
    internal const string IdempotencyKeyHeader = "Idempotency-Key";

    public static void MapComponentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("Components");

        group.MapPost("", RegisterComponent)
            .RequirePermission(Permission.ActAsComponent)
            .AddEndpointFilter<ComponentScope>()
            .WithName(nameof(RegisterComponent))
            .WithSummary("Register a component")
            .WithDescription("Upserts the component's definition and creates a new instance (or attaches to `instance_uuid`). " +
                "201 when the id is new, 200 when it was registered before. With an `Idempotency-Key` header (1-255 visible ASCII characters), a retry " +
                "with the same key and body within 24 h gets the first answer and creates no second instance. " +
                "Errors: 1002 invalid registration (or a key reused for another body), 1011 id registered with another component_type.")
            .WithMetadata(new BadRequestCode(ErrorCode.RegistrationFailed))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        group.MapGet("", ListComponents)
            .RequirePermission(Permission.Read)
            .WithName(nameof(ListComponents))
            .WithSummary("List components")
            .WithDescription("Every registered component in registration order, optionally filtered by status, type and capability.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/{component_id}", GetComponent)
            .RequirePermission(Permission.Read)
            .WithName(nameof(GetComponent))
            .WithSummary("Get component details")
            .WithDescription("The definition, status, instances, startup time and uptime of one component. Error 1001 when it is not registered.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{component_id}/status", GetComponentStatus)
            .RequirePermission(Permission.Read)
            .WithName(nameof(GetComponentStatus))
            .WithSummary("Get component status")
            .WithDescription("The status of the current instance with its last heartbeat, uptime and health_status. Error 1001 when not registered.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{component_id}", DeregisterComponent)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(DeregisterComponent))
            .WithSummary("Deregister a component")
            .WithDescription("Removes the component and its instances from the registry. Error 1001 when it is not registered.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<Results<Created<RegisterComponentResult>, Ok<RegisterComponentResult>>> RegisterComponent(
        ISender sender,
        [FromBody] RegisterComponent registration,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var result = await sender.Send(registration with { IdempotencyKey = idempotencyKey }, cancellationToken);
        return result.Created
            ? TypedResults.Created(LocationOf(registration.ComponentId!), result)
            : TypedResults.Ok(result);
    }

    /// <summary>Where a newly registered component's details are: the registration's <c>Location</c>.</summary>
    internal static string LocationOf(string componentId) => $"{Path}/{Uri.EscapeDataString(componentId)}";

    public static async Task<Ok<ComponentList>> ListComponents(
        ISender sender,
        [FromQuery] string? status,
        [FromQuery] string? type,
        [FromQuery] string? capability,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListComponents(status, type, capability), cancellationToken));

    public static async Task<Ok<ComponentDetails>> GetComponent(
        ISender sender, [FromRoute(Name = "component_id")] string componentId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetComponent(componentId), cancellationToken));

    public static async Task<Ok<ComponentStatusResponse>> GetComponentStatus(
        ISender sender, [FromRoute(Name = "component_id")] string componentId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetComponentStatus(componentId), cancellationToken));

    public static async Task<Ok<OperationResult>> DeregisterComponent(
        ISender sender, [FromRoute(Name = "component_id")] string componentId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new DeregisterComponent(componentId), cancellationToken));
}
