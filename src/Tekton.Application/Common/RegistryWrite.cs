using Tekton.Application.Events;
using Tekton.Domain.Components;

namespace Tekton.Application.Common;

/// <summary>
/// What a change sees on the writer's loop: the working set of components (every component found or added
/// here is tracked by <see cref="Db"/>, so changes made through its domain methods are saved) and the
/// database context of the group being committed.
/// </summary>
public sealed class RegistryWrite
{
    private readonly Registry _registry;
    private readonly TimeProvider _clock;
    private readonly EventSequence _sequence;
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly List<StateChange> _stateChanges = [];

    public RegistryWrite(ITektonDbContext db, Registry registry, TimeProvider clock, EventSequence sequence)
    {
        Db = db;
        _registry = registry;
        _clock = clock;
        _sequence = sequence;
    }

    public ITektonDbContext Db { get; }

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Ids of the components this group added, changed or removed.</summary>
    public IReadOnlyCollection<string> Touched => _touched;

    /// <summary>State changes recorded in this group, in order.</summary>
    public IReadOnlyList<StateChange> StateChanges => _stateChanges;

    public IEnumerable<Component> Components => _registry.All;

    /// <summary>How many components the registry holds, with what this group added so far.</summary>
    public int Count => _registry.Count;

    /// <summary>Finds a component and starts tracking it, so that what is changed on it is saved.</summary>
    public Component? Find(string componentId)
    {
        var component = _registry.Find(componentId);
        if (component is not null && _touched.Add(componentId))
        {
            Db.Components.Attach(component);
        }

        return component;
    }

    public long NextRegistrationSequence() => _registry.NextRegistrationSequence();

    public void Add(Component component)
    {
        _registry.Add(component);
        _touched.Add(component.ComponentId);
        Db.Components.Add(component);
    }

    public void Add(ComponentInstance instance) => Db.Instances.Add(instance);

    public void Remove(Component component)
    {
        Find(component.ComponentId);
        _registry.Remove(component.ComponentId);
        Db.Components.Remove(component);
    }

    /// <summary>Records a state change; it is published as an event once the group is committed.</summary>
    public void Record(StateChange change)
    {
        change.Sequenced(_sequence.Next());
        _stateChanges.Add(change);
        Db.StateChanges.Add(change);
    }
}
