using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Errors;
using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>The body of <c>POST /api/tekton/route</c> (reference: Route Task to Model).</summary>
public sealed record RouteBody
{
    [Description("The capability the task needs, e.g. code_generation")]
    [Required]
    public string? TaskType { get; init; }

    [Description("low | medium (default) | high: the tier the task needs (1, 2, 3)")]
    public string? Complexity { get; init; }

    [Description("Tokens the model must accept (default 0)")]
    public long? ContextLength { get; init; }

    public RouteRequirements? Requirements { get; init; }

    [Description("true (default): a lower tier may be chosen when nothing at the task's tier is available, and fallback_models are listed")]
    public bool? Fallback { get; init; }
}

public sealed record RouteRequirements
{
    [Description("Capabilities the model must have besides task_type")]
    public IReadOnlyList<string?>? Capabilities { get; init; }

    [Description("The lowest tier allowed, 1-3")]
    public int? MinTier { get; init; }
}

/// <summary>The reference's routing answer.</summary>
public sealed record RouteResponse(
    string SelectedModel,
    string Provider,
    string? Endpoint,
    SelectionCriteria SelectionCriteria,
    [property: Description("Up to three alternatives in order, a different provider first; empty when fallback is false")] IReadOnlyList<string> FallbackModels);

public sealed record RouteTask(RouteBody Body) : IQuery<RouteResponse>;

public sealed class RouteTaskValidator : AbstractValidator<RouteTask>
{
    public RouteTaskValidator()
    {
        RuleFor(r => r.Body.TaskType).NotEmpty().OverridePropertyName("task_type").WithMessage("task_type is required.")
            .Matches(Wire.Capability()).WithMessage($"task_type must be a capability token matching {Wire.CapabilityPattern}.");
        RuleFor(r => r.Body.Complexity).Must(c => c is "low" or "medium" or "high").When(r => r.Body.Complexity is not null)
            .OverridePropertyName("complexity").WithMessage("complexity must be low, medium or high.");
        RuleFor(r => r.Body.ContextLength).InclusiveBetween(0, ModelBodyValidator.MaxContextWindow).When(r => r.Body.ContextLength is not null)
            .OverridePropertyName("context_length").WithMessage("context_length must be between 0 and 100000000 tokens.");
        RuleFor(r => r.Body.Requirements!.Capabilities)
            .Must(c => c!.Count <= 64 && c.All(x => x is not null && Wire.Capability().IsMatch(x)))
            .When(r => r.Body.Requirements?.Capabilities is not null)
            .OverridePropertyName("requirements.capabilities")
            .WithMessage($"requirements.capabilities must be at most 64 tokens matching {Wire.CapabilityPattern}.");
        RuleFor(r => r.Body.Requirements!.MinTier).InclusiveBetween(Model.MinTier, Model.MaxTier).When(r => r.Body.Requirements?.MinTier is not null)
            .OverridePropertyName("requirements.min_tier").WithMessage("requirements.min_tier must be 1, 2 or 3.");
    }
}

/// <summary>Routes with <see cref="Router"/> over the catalog and counts each decision in <c>/metrics</c>.</summary>
public sealed class RouteTaskHandler : IQueryHandler<RouteTask, RouteResponse>
{
    private readonly ModelCatalog _catalog;
    private readonly int _retryAfter;
    private readonly Counter<long> _decisions;

    public RouteTaskHandler(ModelCatalog catalog, IOptions<RoutingOptions> options, IMeterFactory meters)
    {
        _catalog = catalog;
        _retryAfter = options.Value.RetryAfterSeconds;
        _decisions = meters.Create("Tekton").CreateCounter<long>("route.decisions", "{decision}", "Routing decisions, by outcome and selected model");
    }

    public ValueTask<RouteResponse> Handle(RouteTask query, CancellationToken cancellationToken)
    {
        var body = query.Body;
        var route = new RouteQuery(
            body.TaskType!,
            body.Complexity switch { "low" => Complexity.Low, "high" => Complexity.High, _ => Complexity.Medium },
            body.ContextLength ?? 0,
            [.. body.Requirements?.Capabilities?.OfType<string>() ?? []],
            body.Requirements?.MinTier,
            body.Fallback ?? true);
        RouteDecision decision;
        try
        {
            decision = Router.Route(_catalog.Models, route);
        }
        catch (TektonException error) when (error.Code == ErrorCode.ModelNotAvailable)
        {
            Count("model_not_available", null);
            throw new RetryLaterException(error, _retryAfter);
        }
        catch (TektonException error) when (error.Code == ErrorCode.RouteNotFound)
        {
            Count("route_not_found", null);
            throw;
        }

        Count("selected", decision.Selected.Id);
        return ValueTask.FromResult(new RouteResponse(
            decision.Selected.Id,
            decision.Selected.Provider,
            decision.Selected.Endpoint,
            decision.Criteria,
            [.. decision.Fallbacks.Select(m => m.Id)]));
    }

    private void Count(string outcome, string? model) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("model", model ?? "none"));
}
