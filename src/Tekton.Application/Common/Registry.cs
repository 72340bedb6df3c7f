using Tekton.Domain.Components;

namespace Tekton.Application.Common;

/// <summary>
/// The writer's working set: every registered component as a tracked domain object. Only the writer's loop
/// touches it; readers use the published <see cref="RegistrySnapshot"/>.
/// </summary>
public sealed class Registry
{
    private readonly Dictionary<string, Component> _components = new(StringComparer.Ordinal);
    private long _lastSequence;

    public IEnumerable<Component> All => _components.Values;

    public int Count => _components.Count;

    public Component? Find(string componentId) => _components.GetValueOrDefault(componentId);

    public long NextRegistrationSequence() => ++_lastSequence;

    public void Add(Component component)
    {
        _components.Add(component.ComponentId, component);
        _lastSequence = Math.Max(_lastSequence, component.RegistrationSequence);
    }

    public void Remove(string componentId) => _components.Remove(componentId);

    public void Clear()
    {
        _components.Clear();
        _lastSequence = 0;
    }
}
