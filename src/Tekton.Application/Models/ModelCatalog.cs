using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>The <c>Tekton</c> section's model settings: <c>Tekton:Models</c>, <c>Tekton:Providers</c>, <c>Tekton:Capabilities</c>.</summary>
public sealed class CatalogOptions
{
    public List<ModelBody> Models { get; set; } = [];

    /// <summary>Per provider: <c>ApiKey</c>. A cloud provider's models are available only when it has a key.</summary>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Descriptions of capabilities beyond the built-in ones, or replacing them.</summary>
    public Dictionary<string, string> Capabilities { get; set; } = new(StringComparer.Ordinal);
}

public sealed class ProviderOptions
{
    public string? ApiKey { get; set; }
}

/// <summary>
/// Every model Tekton knows (design §9), merged from four sources. The definition comes from the first source
/// that has the id, in the order API, configuration, component, Ollama; the status comes from a source with live
/// knowledge (the serving component, Ollama) when one knows the id, else from the definition. The merged list
/// is rebuilt only when a source or the registry changed, so routing reads a ready list.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>Providers reached over the internet with an API key.</summary>
    public static readonly FrozenSet<string> CloudProviders = new[]
    {
        "anthropic", "openai", "google", "gemini", "mistral", "cohere", "groq", "deepseek", "xai", "together",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly ModelBodyValidator Validator = new();

    private readonly RegistryProjection _projection;
    private readonly IReadOnlyList<Model> _configured;
    private ImmutableDictionary<string, Model> _api = ImmutableDictionary.Create<string, Model>(StringComparer.Ordinal);
    private IReadOnlyList<Model> _discovered = [];
    private long _version;
    private Merged? _merged;

    public ModelCatalog(RegistryProjection projection, IOptions<CatalogOptions> options)
    {
        _projection = projection;
        var settings = options.Value;
        _configured = [.. settings.Models.Select(body => Configured(body, settings))];
    }

    /// <summary>Every model, ordered by id.</summary>
    public IReadOnlyList<Model> Models => Current().List;

    public Model? Find(string id) => Current().ById.GetValueOrDefault(id);

    /// <summary>Whether the id was added through the API (and so may be replaced or deleted there).</summary>
    public bool IsFromApi(string id) => Volatile.Read(ref _api).ContainsKey(id);

    /// <summary>Where a model that is not from the API comes from, to say so when someone tries to delete it.</summary>
    public ModelSource? SourceOf(string id) => Find(id)?.Source;

    /// <summary>At boot: the models stored through the API.</summary>
    public void LoadApi(IEnumerable<Model> models) => Swap(ref _api, ImmutableDictionary.CreateRange(StringComparer.Ordinal, models.Select(m => KeyValuePair.Create(m.Id, m))));

    public void PutApi(Model model) => Swap(ref _api, Volatile.Read(ref _api).SetItem(model.Id, model));

    public void RemoveApi(string id) => Swap(ref _api, Volatile.Read(ref _api).Remove(id));

    /// <summary>What Ollama discovery saw last: its models, each available or (when Ollama did not answer) unavailable.</summary>
    public void SetDiscovered(IReadOnlyList<Model> models) => Swap(ref _discovered, models);

    /// <summary>The models an <c>llm</c> component serves, from <c>metadata.models</c>: ids, or objects with id and optional figures.</summary>
    public static IEnumerable<Model> Served(ComponentView component)
    {
        var metadata = component.Metadata; // parsed on each use: once here
        if (metadata.ValueKind != JsonValueKind.Object || !metadata.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        var provider = metadata.TryGetProperty("provider", out var p) && p.ValueKind == JsonValueKind.String && Wire.Provider().IsMatch(p.GetString()!)
            ? p.GetString()!
            : component.ComponentId;
        IReadOnlyList<string> capabilities = component.Capabilities.Count > 0 ? component.Capabilities : ["text_generation"];
        var endpoint = $"http://{(component.Host.Contains(':', StringComparison.Ordinal) ? $"[{component.Host}]" : component.Host)}{(component.Port is { } port ? $":{port}" : string.Empty)}/api/generate";
        var status = component.Status is ComponentState.Ready or ComponentState.Degraded ? ModelStatus.Available : ModelStatus.Unavailable;
        foreach (var entry in models.EnumerateArray())
        {
            var model = entry.ValueKind switch
            {
                JsonValueKind.String => new ModelBody { Id = entry.GetString() },
                JsonValueKind.Object => Read(entry),
                _ => null,
            };
            if (model?.Id is not { } id || !Wire.ModelId().IsMatch(id))
            {
                continue;
            }

            var body = model with
            {
                Provider = model.Provider ?? provider,
                Capabilities = model.Capabilities ?? [.. capabilities],
                Tier = model.Tier ?? 2,
                ContextWindow = model.ContextWindow ?? 8192,
                Status = null,
                Endpoint = endpoint,
            };
            if (Validator.Validate(body).IsValid)
            {
                yield return body.ToModel(ModelSource.Component) with { Status = status, ComponentId = component.ComponentId };
            }
        }
    }

    private static ModelBody? Read(JsonElement entry)
    {
        try
        {
            return entry.Deserialize(ModelJson.Default.ModelBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Merged Current()
    {
        var snapshot = _projection.Current;
        var version = Interlocked.Read(ref _version);
        var merged = Volatile.Read(ref _merged);
        if (merged is not null && ReferenceEquals(merged.Snapshot, snapshot) && merged.Version == version)
        {
            return merged;
        }

        merged = Merge(snapshot, version);
        Volatile.Write(ref _merged, merged);
        return merged;
    }

    private Merged Merge(RegistrySnapshot snapshot, long version)
    {
        var byId = new Dictionary<string, Model>(StringComparer.Ordinal);
        foreach (var model in Volatile.Read(ref _discovered))
        {
            byId[model.Id] = model;
        }

        foreach (var serverId in snapshot.ModelServers)
        {
            if (snapshot.Find(serverId) is not { } server)
            {
                continue;
            }

            foreach (var model in Served(server))
            {
                // Two servers of one model: the available one, then the smaller component id.
                if (!byId.TryGetValue(model.Id, out var other) || other.Source != ModelSource.Component
                    || (model.IsAvailable && !other.IsAvailable)
                    || (model.IsAvailable == other.IsAvailable && string.CompareOrdinal(model.ComponentId, other.ComponentId) < 0))
                {
                    byId[model.Id] = model;
                }
            }
        }

        var live = byId.ToDictionary(e => e.Key, e => e.Value.Status, StringComparer.Ordinal);
        foreach (var model in _configured.Concat(Volatile.Read(ref _api).Values))
        {
            byId[model.Id] = live.TryGetValue(model.Id, out var status) ? model with { Status = status } : model;
        }

        var list = byId.Values.OrderBy(m => m.Id, StringComparer.Ordinal).ToArray();
        return new Merged(snapshot, version, list, byId.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static Model Configured(ModelBody body, CatalogOptions options)
    {
        var model = body.ToModel(ModelSource.Configuration);
        return CloudProviders.Contains(model.Provider) && !HasKey(model.Provider, options) ? model with { Status = ModelStatus.Unavailable } : model;
    }

    /// <summary><c>Tekton:Providers:{provider}:ApiKey</c>, or the environment variable <c>{PROVIDER}_API_KEY</c>.</summary>
    public static bool HasKey(string provider, CatalogOptions options) =>
        (options.Providers.TryGetValue(provider, out var settings) && !string.IsNullOrWhiteSpace(settings.ApiKey))
        || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KeyVariable(provider)));

    public static string KeyVariable(string provider) =>
        new string([.. provider.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]) + "_API_KEY";

    private void Swap<T>(ref T field, T value)
        where T : class
    {
        Volatile.Write(ref field, value);
        Interlocked.Increment(ref _version);
    }

    private sealed record Merged(RegistrySnapshot Snapshot, long Version, IReadOnlyList<Model> List, FrozenDictionary<string, Model> ById);
}

/// <summary>Reads model entries of component metadata with the wire's naming.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ModelBody))]
internal sealed partial class ModelJson : System.Text.Json.Serialization.JsonSerializerContext;
