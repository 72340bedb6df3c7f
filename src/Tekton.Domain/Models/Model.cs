namespace Tekton.Domain.Models;

/// <summary>Whether a model can take a task now.</summary>
public enum ModelStatus
{
    Available,
    Unavailable,
}

/// <summary>Where the catalog learned of a model (design §9), in order of precedence for its definition.</summary>
public enum ModelSource
{
    Api,
    Configuration,
    Component,
    Ollama,
}

/// <summary>
/// A model in the catalog (design §9). Capabilities are kept sorted (ordinal) so membership is a binary search.
/// Tier: 1 small, 2 medium, 3 frontier.
/// </summary>
public sealed record Model
{
    public const int MinTier = 1;
    public const int MaxTier = 3;

    private readonly string[] _capabilities = [];

    public required string Id { get; init; }

    public required string Provider { get; init; }

    public IReadOnlyList<string> Capabilities
    {
        get => _capabilities;
        init => _capabilities = [.. value.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public int Tier { get; init; } = 2;

    public long ContextWindow { get; init; }

    public ModelStatus Status { get; init; } = ModelStatus.Available;

    public string? Endpoint { get; init; }

    /// <summary>Lower comes first among otherwise equal models; none sorts after any.</summary>
    public int? Priority { get; init; }

    /// <summary>Cost per 1,000 tokens, in the operator's currency; none sorts after any.</summary>
    public double? CostPer1kTokens { get; init; }

    public ModelSource Source { get; init; }

    /// <summary>The <c>llm</c> component that serves the model, for models of source <see cref="ModelSource.Component"/>.</summary>
    public string? ComponentId { get; init; }

    public bool IsAvailable => Status == ModelStatus.Available;

    public bool Has(string capability) => Array.BinarySearch(_capabilities, capability, StringComparer.Ordinal) >= 0;
}
