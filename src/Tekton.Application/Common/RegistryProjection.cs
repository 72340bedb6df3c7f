using Tekton.Domain.Components;

namespace Tekton.Application.Common;

/// <summary>
/// The in-memory read model of the registry, kept in step with committed writes: the writer publishes a new
/// snapshot after each group commit; readers take <see cref="Current"/> without locks.
/// </summary>
public sealed class RegistryProjection
{
    private RegistrySnapshot _current = RegistrySnapshot.Empty;

    public RegistrySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Publishes the committed state of the given components (absent from <paramref name="registry"/> means removed).</summary>
    public void Publish(Registry registry, IEnumerable<string> changedIds)
    {
        var current = Current;
        var builder = current.ById.ToBuilder();
        foreach (var id in changedIds)
        {
            if (registry.Find(id) is { } component)
            {
                builder[id] = ViewMapper.ToView(component);
            }
            else
            {
                builder.Remove(id);
            }
        }

        Volatile.Write(ref _current, new RegistrySnapshot(builder.ToImmutable(), current.Version + 1));
    }

    /// <summary>Replaces the whole projection, as at boot or after the working set was reloaded.</summary>
    public void Reset(IEnumerable<Component> components)
    {
        var builder = RegistrySnapshot.Empty.ById.ToBuilder();
        foreach (var component in components)
        {
            builder[component.ComponentId] = ViewMapper.ToView(component);
        }

        Volatile.Write(ref _current, new RegistrySnapshot(builder.ToImmutable(), Current.Version + 1));
    }
}
