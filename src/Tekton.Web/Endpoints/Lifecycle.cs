using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>What a component tells Tekton about itself: heartbeats and state changes (design §6.2).</summary>
public static class Lifecycle
{
    public static void MapLifecycleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tekton/components/{component_id}").WithTags("Lifecycle");

        group.MapPost("/heartbeat", RecordHeartbeat)
            .RequirePermission(Permission.ActAsComponent)
            .WithName(nameof(RecordHeartbeat))
            .WithSummary("Send a heartbeat")
            .WithDescription("Records that an instance is alive (kept in memory, written behind every few seconds). " +
                "A `status` different from the instance's state is applied as a transition (error 1012 if the table forbids it).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/start", StartComponent)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(StartComponent))
            .WithSummary("Start a component")
            .WithDescription("Starts every transitive dependency that is not ready, in startup order, waiting for each (a dependency without a launch spec " +
                "is waited for up to `dependency_timeout` seconds, default 60), then the component. Answers at once with the new instance_uuid; " +
                "`?wait=true` answers when it is ready. Starting a ready component is an idempotent success. Errors: 1001, 1003 (missing or failed " +
                "dependency), 1004 (no launch spec, executable not found, exit before ready, startup timeout), 1005 (in or behind a cycle), 1012 (stopping).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        group.MapPost("/stop", StopComponent)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(StopComponent))
            .WithSummary("Stop a component")
            .WithDescription("Posts the shutdown signal, sends SIGTERM to the process group, and SIGKILL after `timeout` seconds (`force`: at once). " +
                "Running dependents make it fail with 1003 listing them, unless `cascade` (they are stopped first, in reverse startup order) or `force`. " +
                "Answers when stopped; an external component that does not report 'stopped' in time gives 1006.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        group.MapGet("/logs", GetComponentLogs)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(GetComponentLogs))
            .WithSummary("Read a component's logs")
            .WithDescription("The last `tail` lines (default 200, at most 10000) of stdout and stderr of the current instance, or of `instance_uuid`.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/instances/{instance_uuid}/signals", WaitForSignal)
            .RequirePermission(Permission.ActAsComponent)
            .WithName(nameof(WaitForSignal))
            .WithSummary("Wait for a control signal")
            .WithDescription("Long-poll: 200 with the signal (`shutdown`, `force`, `timeout` in seconds, `requested_at`) as soon as one is posted, " +
                "or 204 when `wait` seconds (default 30, at most 60) pass first.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/instances/{instance_uuid}/state", ChangeInstanceState)
            .RequirePermission(Permission.ActAsComponent)
            .WithName(nameof(ChangeInstanceState))
            .WithSummary("Report an instance's state")
            .WithDescription("A self-reported transition such as mark_ready (`ready`) or notify_shutdown (`stopping`, then `stopped`). " +
                "Requesting the current state is an idempotent success; a transition outside the table of allowed transitions is error 1012.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    public static async Task<Ok<StartComponentResult>> StartComponent(
        ISender sender,
        [FromRoute(Name = "component_id")] string componentId,
        [FromQuery] bool? wait,
        [FromQuery(Name = "dependency_timeout")] double? dependencyTimeout,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new StartComponent(componentId, wait ?? false, dependencyTimeout), cancellationToken));

    public static async Task<Ok<OperationResult>> StopComponent(
        ISender sender,
        [FromRoute(Name = "component_id")] string componentId,
        [FromBody] StopBody? stop,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new StopComponent(componentId, stop ?? new StopBody()), cancellationToken));

    public static async Task<Ok<ComponentLogs>> GetComponentLogs(
        ISender sender,
        [FromRoute(Name = "component_id")] string componentId,
        [FromQuery] int? tail,
        [FromQuery(Name = "instance_uuid")] Guid? instanceUuid,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetComponentLogs(componentId, tail, instanceUuid), cancellationToken));

    public static async Task<Results<Ok<ControlSignal>, NoContent>> WaitForSignal(
        ISender sender,
        [FromRoute(Name = "component_id")] string componentId,
        [FromRoute(Name = "instance_uuid")] Guid instanceUuid,
        [FromQuery] double? wait,
        CancellationToken cancellationToken) =>
        await sender.Send(new WaitForSignal(componentId, instanceUuid, wait), cancellationToken) is { } signal
            ? TypedResults.Ok(signal)
            : TypedResults.NoContent();

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
