using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Lifecycle;

namespace Tekton.Web.Endpoints;

/// <summary>What a component tells Tekton about itself: heartbeats and state changes (design §6.2).</summary>
public static class Lifecycle
{
    public static void MapLifecycleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tekton/components/{component_id}").WithTags("Lifecycle");

        group.MapPost("/heartbeat", RecordHeartbeat)
            .WithName(nameof(RecordHeartbeat))
            .WithSummary("Send a heartbeat")
            .WithDescription("Records that an instance is alive (kept in memory, written behind every few seconds). " +
                "A `status` different from the instance's state is applied as a transition (error 1012 if the table forbids it).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPut("/instances/{instance_uuid}/state", ChangeInstanceState)
            .WithName(nameof(ChangeInstanceState))
            .WithSummary("Report an instance's state")
            .WithDescription("A self-reported transition such as mark_ready (`ready`) or notify_shutdown (`stopping`, then `stopped`). " +
                "Requesting the current state is an idempotent success; a transition outside the table of allowed transitions is error 1012.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    public static async Task<Ok<HeartbeatResult>> RecordHeartbeat(
        ISender sender,
        [FromRoute(Name = "component_id")] string componentId,
        [FromBody] HeartbeatBody heartbeat,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new RecordHeartbeat(componentId, heartbeat), cancellationToken));

    public static async Task<Ok<InstanceStateResult>> ChangeInstanceState(
        ISender sender,
        [FromRoute(Name = "component_id")] string componentId,
        [FromRoute(Name = "instance_uuid")] Guid instanceUuid,
        [FromBody] InstanceStateBody state,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ChangeInstanceState(componentId, instanceUuid, state), cancellationToken));
}
