using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tekton.Application.Common;
using Tekton.Application.Models;
using Tekton.Domain.Security;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>The model catalog and task routing (design §9).</summary>
public static class Models
{
    public static void MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tekton").WithTags("Models");

        group.MapGet("/models", ListModels)
            .RequirePermission(Permission.UseModels)
            .WithName(nameof(ListModels))
            .WithSummary("List models")
            .WithDescription("Every model in the catalog, ordered by id: from configuration (Tekton:Models), the API, llm components' metadata.models, " +
                "and Ollama discovery. Filters: `capability`, `provider`, `status` (available | unavailable); all given must hold.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapPost("/models", PostModel)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(PostModel))
            .WithSummary("Add or replace a model")
            .WithDescription("Stores the model (committed before the answer): 201 with Location when the id is new, 200 when it replaces a model added " +
                "through the API. A model from another source with the same id is overridden by this definition; its status still follows the live source.")
            .Produces<ModelView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/models/{model_id}", GetModel)
            .RequirePermission(Permission.UseModels)
            .WithName(nameof(GetModel))
            .WithSummary("Get a model")
            .WithDescription("An id with '/' in it is sent encoded as %2F.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/models/{model_id}", PutModel)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(PutModel))
            .WithSummary("Add or replace a model by id")
            .WithDescription("As POST, with the id from the path (a body id must match it).")
            .Produces<ModelView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapDelete("/models/{model_id}", DeleteModel)
            .RequirePermission(Permission.Administer)
            .WithName(nameof(DeleteModel))
            .WithSummary("Delete a model added through the API")
            .WithDescription("Models from configuration, components or Ollama are removed where they come from (400 says where).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/route", RouteTask)
            .RequirePermission(Permission.UseModels)
            .WithName(nameof(RouteTask))
            .WithSummary("Route a task to a model")
            .WithDescription("Deterministic (design §9): required capabilities are task_type plus requirements.capabilities; complexity low/medium/high is " +
                "tier 1/2/3; hard filters are the capabilities, context_window >= context_length, tier >= min_tier and, with fallback false, tier >= the " +
                "complexity's tier. The available models that pass are ordered: tier >= max(complexity tier, min_tier) first, then the distance to that tier, " +
                "priority, cost (unknown last), larger context window, id. 1009 (404) when no model passes the filters; 1010 (503 + Retry-After) when only " +
                "unavailable models pass; both list per constraint the models it ruled out.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/capabilities", GetCapabilities)
            .RequirePermission(Permission.UseModels)
            .WithName(nameof(GetCapabilities))
            .WithSummary("List capabilities")
            .WithDescription("The built-in capabilities, those described in Tekton:Capabilities, and any a model declares, each with the models that declare it.");
    }

    public static async Task<Ok<ModelList>> ListModels(
        ISender sender,
        [FromQuery] string? capability,
        [FromQuery] string? provider,
        [FromQuery] string? status,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListModels(capability, provider, status), cancellationToken));

    public static async Task<Ok<ModelView>> GetModel(ISender sender, [FromRoute(Name = "model_id")] string modelId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetModel(Uri.UnescapeDataString(modelId)), cancellationToken));

    public static async Task<Results<Created<ModelView>, Ok<ModelView>>> PostModel(ISender sender, [FromBody] ModelBody model, CancellationToken cancellationToken) =>
        Answer(await sender.Send(new PutModel(null, model), cancellationToken));

    public static async Task<Results<Created<ModelView>, Ok<ModelView>>> PutModel(
        ISender sender, [FromRoute(Name = "model_id")] string modelId, [FromBody] ModelBody model, CancellationToken cancellationToken) =>
        Answer(await sender.Send(new PutModel(Uri.UnescapeDataString(modelId), model), cancellationToken));

    public static async Task<Ok<OperationResult>> DeleteModel(ISender sender, [FromRoute(Name = "model_id")] string modelId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new DeleteModel(Uri.UnescapeDataString(modelId)), cancellationToken));

    public static async Task<Ok<RouteResponse>> RouteTask(ISender sender, [FromBody] RouteBody route, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new RouteTask(route), cancellationToken));

    public static async Task<Ok<CapabilityList>> GetCapabilities(ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetCapabilities(), cancellationToken));

    private static Results<Created<ModelView>, Ok<ModelView>> Answer(PutModelResult result) => result.Created
        ? TypedResults.Created($"/api/tekton/models/{Uri.EscapeDataString(result.Model.Id)}", result.Model)
        : TypedResults.Ok(result.Model);
}
