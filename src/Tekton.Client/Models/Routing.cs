using System.Text.Json.Serialization;

namespace Tekton.Client;

/// <summary>A model of the catalog, as <c>GET /api/tekton/models</c> shows it, or as added through the API.</summary>
public sealed record ModelInfo
{
    /// <summary>Id, such as <c>gpt-4-turbo</c> or <c>library/llama3:8b</c>.</summary>
    public string Id { get; init; } = "";

    /// <summary>Provider.</summary>
    public string Provider { get; init; } = "";

    /// <summary>Capability tokens.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>1 small, 2 medium, 3 frontier.</summary>
    public int Tier { get; init; }

    /// <summary>Context window in tokens.</summary>
    public long ContextWindow { get; init; }

    /// <summary><c>available</c> or <c>unavailable</c>; <c>null</c> when adding means <c>available</c>.</summary>
    public string? Status { get; init; }

    /// <summary>Where the model answers.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Lower comes first.</summary>
    public int? Priority { get; init; }

    /// <summary>Cheaper comes first.</summary>
    [JsonPropertyName("cost_per_1k_tokens")]
    public double? CostPer1kTokens { get; init; }

    /// <summary>Where the definition comes from (answers only).</summary>
    public string? Source { get; init; }

    /// <summary>The component that serves it (answers only).</summary>
    public string? ComponentId { get; init; }
}

/// <summary>One capability and the models that declare it.</summary>
public sealed record CapabilityInfo
{
    /// <summary>The capability token.</summary>
    public string Id { get; init; } = "";

    /// <summary>What it means.</summary>
    public string? Description { get; init; }

    /// <summary>Ids of the models that declare it.</summary>
    public IReadOnlyList<string> SupportedModels { get; init; } = [];
}

/// <summary>A routing request (<c>POST /api/tekton/route</c>).</summary>
public sealed record RouteRequest
{
    /// <summary>The capability the task needs.</summary>
    public string TaskType { get; init; } = "";

    /// <summary><c>low</c>, <c>medium</c> (default) or <c>high</c>.</summary>
    public string? Complexity { get; init; }

    /// <summary>Tokens the model must take.</summary>
    public long? ContextLength { get; init; }

    /// <summary>Further constraints.</summary>
    public RouteRequirements? Requirements { get; init; }

    /// <summary>Allow a lower tier when nothing at the complexity's is available (default true).</summary>
    public bool? Fallback { get; init; }
}

/// <summary>Constraints of a routing request.</summary>
public sealed record RouteRequirements
{
    /// <summary>Capabilities needed besides the task type.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>The lowest tier allowed.</summary>
    public int? MinTier { get; init; }
}

/// <summary>The routing decision.</summary>
public sealed record RouteResult
{
    /// <summary>The chosen model.</summary>
    public string SelectedModel { get; init; } = "";

    /// <summary>Its provider.</summary>
    public string Provider { get; init; } = "";

    /// <summary>Its endpoint.</summary>
    public string? Endpoint { get; init; }

    /// <summary>How the chosen model meets the request.</summary>
    public SelectionCriteria SelectionCriteria { get; init; } = new();

    /// <summary>Alternatives, best first.</summary>
    public IReadOnlyList<string> FallbackModels { get; init; } = [];
}

/// <summary>How the selected model meets the request.</summary>
public sealed record SelectionCriteria
{
    /// <summary>Its tier is at least the complexity's.</summary>
    public bool ComplexityMatch { get; init; }

    /// <summary>Its context window takes the context length.</summary>
    public bool ContextWindowSufficient { get; init; }

    /// <summary>It has every capability needed.</summary>
    public bool CapabilityMatch { get; init; }

    /// <summary>Its tier is at least the minimum.</summary>
    public bool TierMatch { get; init; }
}
