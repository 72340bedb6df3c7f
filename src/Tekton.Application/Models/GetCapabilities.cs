using System.ComponentModel;
using Mediator;
using Microsoft.Extensions.Options;

namespace Tekton.Application.Models;

public sealed record CapabilityView(string Id, string Description, [property: Description("Ids of the models that declare it, whatever their status")] IReadOnlyList<string> SupportedModels);

public sealed record CapabilityList(IReadOnlyList<CapabilityView> Capabilities);

/// <summary>Every capability (the built-in ones, those described in <c>Tekton:Capabilities</c>, and any a model declares) with its models.</summary>
public sealed record GetCapabilities : IQuery<CapabilityList>;

public sealed class GetCapabilitiesHandler(ModelCatalog catalog, IOptions<CatalogOptions> options) : IQueryHandler<GetCapabilities, CapabilityList>
{
    /// <summary>Descriptions of the capabilities most models declare.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltIn = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["text_generation"] = "Generate text based on a prompt",
        ["code_generation"] = "Generate code based on a specification",
        ["text_embedding"] = "Generate vector embeddings for text",
        ["summarization"] = "Condense a text into a shorter one",
        ["code_analysis"] = "Explain, review or find faults in code",
        ["chat"] = "Hold a conversation over several turns",
        ["reasoning"] = "Work through problems that need several steps",
        ["translation"] = "Translate text between languages",
        ["classification"] = "Assign labels to a text",
        ["question_answering"] = "Answer questions about a text",
        ["function_calling"] = "Call tools with structured arguments",
        ["vision"] = "Understand images",
    };

    public ValueTask<CapabilityList> Handle(GetCapabilities query, CancellationToken cancellationToken)
    {
        var models = catalog.Models;
        var descriptions = new Dictionary<string, string>(BuiltIn, StringComparer.Ordinal);
        foreach (var (id, description) in options.Value.Capabilities)
        {
            descriptions[id] = description;
        }

        foreach (var capability in models.SelectMany(m => m.Capabilities))
        {
            descriptions.TryAdd(capability, $"Declared by models as '{capability}'");
        }

        return ValueTask.FromResult(new CapabilityList([.. descriptions
            .OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => new CapabilityView(d.Key, d.Value, [.. models.Where(m => m.Has(d.Key)).Select(m => m.Id)]))]));
    }
}
