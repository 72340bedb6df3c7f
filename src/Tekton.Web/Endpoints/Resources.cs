using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Common;
using Tekton.Application.Resources;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>What the machine and each component consume (design §8).</summary>
public static class Resources
{
    public static void MapResourceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tekton").WithTags("Resources");

        group.MapGet("/resources", GetSystemResources)
            .RequirePermission(Permission.Read)
            .WithName(nameof(GetSystemResources))
            .WithSummary("Get system resources")
            .WithDescription("The latest sample of the machine, taken in the background every `Tekton:Resources:SampleIntervalSeconds` (default 2): " +
                "CPU from /proc/stat deltas, load average, memory and swap from /proc/meminfo, the data folder's filesystem, GPUs from NVML or " +
                "nvidia-smi (`[]` without one). Memory, swap, disk and GPU memory in GiB; percentages 0-100. A figure that cannot be read on " +
                "this platform is null.");

        group.MapGet("/resources/history", GetResourceHistory)
            .RequirePermission(Permission.Read)
            .WithName(nameof(GetResourceHistory))
            .WithSummary("Get the history of system resources")
            .WithDescription("The samples of the last `minutes` (1 to `Tekton:Resources:HistoryMinutes`, default all that is kept: 60), oldest first.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/components/{component_id}/resources", GetComponentResources)
            .RequirePermission(Permission.Read)
            .WithName(nameof(GetComponentResources))
            .WithSummary("Get a component's resource usage")
            .WithDescription("For running supervised instances, measured from the whole process tree (/proc/<pid>/stat, status, io; GPU memory " +
                "from NVML), summed over replicas; merged with the latest report of a live instance (`POST .../resources`), which fills what was " +
                "not measured: network bytes always, everything for a component Tekton did not launch. `sources` says which part is measured and " +
                "which reported; `measured_at` and `reported_at` say when. rss and vms in MiB, GPU memory in GiB, bytes for network and disk I/O.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/components/{component_id}/resources", ReportResources)
            .RequirePermission(Permission.ActAsComponent)
            .WithName(nameof(ReportResources))
            .WithSummary("Report a component's resource usage")
            .WithDescription("What a ResourceReporter sends: the reference's resource_usage, every part optional, for `instance_uuid` (default: the " +
                "current instance), which must be live. Kept in memory as the component's latest report.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    public static async Task<Ok<SystemResources>> GetSystemResources(ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetSystemResources(), cancellationToken));

    public static async Task<Ok<ResourceHistory>> GetResourceHistory(ISender sender, [FromQuery] int? minutes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetResourceHistory(minutes), cancellationToken));

    public static async Task<Ok<ComponentResources>> GetComponentResources(
        ISender sender, [FromRoute(Name = "component_id")] string componentId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetComponentResources(componentId), cancellationToken));

    public static async Task<Ok<OperationResult>> ReportResources(
        ISender sender,
        [FromRoute(Name = "component_id")] string componentId,
        [FromBody] ResourceReportBody report,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ReportResources(componentId, report), cancellationToken));
}
