using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>A model added through the API, as a row of the <c>models</c> table.</summary>
public sealed class StoredModel
{
    public required string Id { get; set; }

    public required string Provider { get; set; }

    public string[] Capabilities { get; set; } = [];

    public int Tier { get; set; }

    public long ContextWindow { get; set; }

    public ModelStatus Status { get; set; }

    public string? Endpoint { get; set; }

    public int? Priority { get; set; }

    public double? CostPer1kTokens { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Model ToModel() => new()
    {
        Id = Id,
        Provider = Provider,
        Capabilities = Capabilities,
        Tier = Tier,
        ContextWindow = ContextWindow,
        Status = Status,
        Endpoint = Endpoint,
        Priority = Priority,
        CostPer1kTokens = CostPer1kTokens,
        Source = ModelSource.Api,
    };

    public void CopyFrom(Model model, DateTimeOffset at)
    {
        Provider = model.Provider;
        Capabilities = [.. model.Capabilities];
        Tier = model.Tier;
        ContextWindow = model.ContextWindow;
        Status = model.Status;
        Endpoint = model.Endpoint;
        Priority = model.Priority;
        CostPer1kTokens = model.CostPer1kTokens;
        UpdatedAt = at;
    }
}
