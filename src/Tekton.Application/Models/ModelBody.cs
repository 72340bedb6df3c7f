using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using FluentValidation;
using Tekton.Application.Common;
using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>A model as an operator declares it: the body of <c>POST/PUT /api/tekton/models</c> and an entry of <c>Tekton:Models</c>.</summary>
public sealed record ModelBody
{
    [Description("1-128 characters: letters, digits and _ . : / @ + -; starts with a letter or digit")]
    public string? Id { get; init; }

    [Description("Who serves it, e.g. anthropic, openai, ollama (1-64 characters)")]
    [Required]
    public string? Provider { get; init; }

    [Description("Capability tokens such as text_generation, code_generation, text_embedding (at least one, at most 64)")]
    [Required]
    public IReadOnlyList<string?>? Capabilities { get; init; }

    [Description("1 small, 2 medium, 3 frontier")]
    [Required]
    public int? Tier { get; init; }

    [Description("Tokens the model accepts")]
    [Required]
    public long? ContextWindow { get; init; }

    [Description("available (default) or unavailable")]
    public string? Status { get; init; }

    [Description("Where to send requests, an absolute http(s) URL")]
    public string? Endpoint { get; init; }

    [Description("Lower comes first among otherwise equal models")]
    public int? Priority { get; init; }

    [Description("Cost per 1,000 tokens; cheaper comes first among otherwise equal models")]
    [JsonPropertyName("cost_per_1k_tokens")]
    public double? CostPer1kTokens { get; init; }

    public Model ToModel(ModelSource source) => new()
    {
        Id = Id!,
        Provider = Provider!,
        Capabilities = [.. Capabilities!.OfType<string>()],
        Tier = Tier!.Value,
        ContextWindow = ContextWindow!.Value,
        Status = Status == "unavailable" ? ModelStatus.Unavailable : ModelStatus.Available,
        Endpoint = Endpoint,
        Priority = Priority,
        CostPer1kTokens = CostPer1kTokens,
        Source = source,
    };
}

public sealed class ModelBodyValidator : AbstractValidator<ModelBody>
{
    public const long MaxContextWindow = 100_000_000;

    public ModelBodyValidator()
    {
        RuleFor(m => m.Id).NotEmpty().WithMessage("id is required.")
            .Matches(Wire.ModelId()).WithMessage($"id must match {Wire.ModelIdPattern}.");
        RuleFor(m => m.Provider).NotEmpty().WithMessage("provider is required.")
            .Matches(Wire.Provider()).WithMessage($"provider must match {Wire.ProviderPattern}.");
        // Stop at the first failure: the shape rule cannot judge a missing list.
        RuleFor(m => m.Capabilities).Cascade(CascadeMode.Stop).NotNull().WithMessage("capabilities is required.")
            .Must(c => c!.Count is > 0 and <= 64 && c.All(x => x is not null && Wire.Capability().IsMatch(x)) && c.Distinct(StringComparer.Ordinal).Count() == c.Count)
            .WithMessage($"capabilities must be 1 to 64 unique tokens matching {Wire.CapabilityPattern}.");
        RuleFor(m => m.Tier).NotNull().WithMessage("tier is required.")
            .InclusiveBetween(Model.MinTier, Model.MaxTier).WithMessage("tier must be 1 (small), 2 (medium) or 3 (frontier).");
        RuleFor(m => m.ContextWindow).NotNull().WithMessage("context_window is required.")
            .InclusiveBetween(1, MaxContextWindow).WithMessage("context_window must be between 1 and 100000000 tokens.");
        RuleFor(m => m.Status).Must(s => s is "available" or "unavailable").When(m => m.Status is not null)
            .WithMessage("status must be available or unavailable.");
        RuleFor(m => m.Endpoint).Must(BeHttpUrl).When(m => m.Endpoint is not null)
            .WithMessage("endpoint must be an absolute http or https URL of at most 2048 characters.");
        RuleFor(m => m.Priority).InclusiveBetween(-1_000_000, 1_000_000).When(m => m.Priority is not null)
            .WithMessage("priority must be between -1000000 and 1000000.");
        RuleFor(m => m.CostPer1kTokens).InclusiveBetween(0, 1_000_000).When(m => m.CostPer1kTokens is not null)
            .OverridePropertyName("cost_per_1k_tokens").WithMessage("cost_per_1k_tokens must be between 0 and 1000000.");
    }

    private static bool BeHttpUrl(string? url) =>
        url is { Length: <= 2048 } && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>A model in answers (the reference's model, plus where it comes from).</summary>
public sealed record ModelView(
    string Id,
    string Provider,
    IReadOnlyList<string> Capabilities,
    [property: Description("1 small, 2 medium, 3 frontier")] int Tier,
    [property: Description("Tokens")] long ContextWindow,
    [property: Description("available | unavailable")] string Status,
    string? Endpoint,
    int? Priority,
    [property: JsonPropertyName("cost_per_1k_tokens")] double? CostPer1kTokens,
    [property: Description("api | configuration | component | ollama")] string Source,
    [property: Description("The llm component serving it, for source component")] string? ComponentId)
{
    public static ModelView From(Model model) => new(
        model.Id,
        model.Provider,
        model.Capabilities,
        model.Tier,
        model.ContextWindow,
        ModelWire.Status(model.Status),
        model.Endpoint,
        model.Priority,
        model.CostPer1kTokens,
        ModelWire.Source(model.Source),
        model.ComponentId);
}

public sealed record ModelList(IReadOnlyList<ModelView> Models);

public static class ModelWire
{
    public static string Status(ModelStatus status) => status == ModelStatus.Available ? "available" : "unavailable";

    public static string Source(ModelSource source) => source switch
    {
        ModelSource.Api => "api",
        ModelSource.Configuration => "configuration",
        ModelSource.Component => "component",
        _ => "ollama",
    };
}
