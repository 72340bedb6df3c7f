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
        return view with
        {
            Current = component.CurrentInstance is { } current ? view.FindInstance(current.InstanceUuid) : null,
        };
    }

    [MapProperty(nameof(Component.MetadataJson), nameof(ComponentView.Metadata), Use = nameof(ParseMetadata))]
    [MapperIgnoreSource(nameof(Component.CurrentInstance))]
    [MapperIgnoreSource(nameof(Component.Status))]
    [MapperIgnoreTarget(nameof(ComponentView.Current))]
    private static partial ComponentView Map(Component component);

    [MapperIgnoreSource(nameof(ComponentInstance.ComponentId))]
    [MapperIgnoreSource(nameof(ComponentInstance.IsLive))]
    private static partial InstanceView Map(ComponentInstance instance);

    private static JsonElement ParseMetadata(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
