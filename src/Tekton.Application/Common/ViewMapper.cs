using System.Text.Json;
using Riok.Mapperly.Abstractions;
using Tekton.Domain.Components;

namespace Tekton.Application.Common;

/// <summary>Copies tracked domain objects into the immutable views of the read projection (generated at compile time).</summary>
[Mapper]
public static partial class ViewMapper
{
    public static ComponentView ToView(Component component)
    {
        var view = Map(component);
        view.Current = component.CurrentInstance is { } current ? view.FindInstance(current.InstanceUuid) : null;
        return view;
    }

    [MapperIgnoreSource(nameof(Component.CurrentInstance))]
    [MapperIgnoreSource(nameof(Component.Status))]
    [MapperIgnoreSource(nameof(Component.LiveInstances))]
    [MapperIgnoreTarget(nameof(ComponentView.Current))]
    private static partial ComponentView Map(Component component);

    [MapperIgnoreSource(nameof(ComponentInstance.ComponentId))]
    [MapperIgnoreSource(nameof(ComponentInstance.IsLive))]
    [MapperIgnoreSource(nameof(ComponentInstance.IsSupervised))]
    [MapperIgnoreSource(nameof(ComponentInstance.RestartHistory))]
    [MapperIgnoreSource(nameof(ComponentInstance.Restarts))]
    private static partial InstanceView Map(ComponentInstance instance);

    /// <summary>A reported health map from its JSON text.</summary>
    public static IReadOnlyDictionary<string, string>? ParseHealth(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, HealthJson.Default.DictionaryStringString);

    /// <summary>Serializes a reported health map the same way it is read back.</summary>
    public static string SerializeHealth(IReadOnlyDictionary<string, string> health) =>
        JsonSerializer.Serialize(health.ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal), HealthJson.Default.DictionaryStringString);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
