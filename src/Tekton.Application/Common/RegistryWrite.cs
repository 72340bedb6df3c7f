using Tekton.Application.Events;
using Tekton.Domain.Components;

namespace Tekton.Application.Common;

/// <summary>
/// What a change sees on the writer's loop: the working set of components (every component found or added
/// here is tracked by <see cref="Db"/>, so changes made through its domain methods are saved) and the
/// database context of the group being committed.
/// </summary>
/// <remarks>
/// With <c>insertsByStore</c> the group's new rows are not given to <see cref="Db"/>: the components added here
/// (with their instances, as they stand at the commit) and every recorded state change are written by the store
/// itself after <see cref="Db"/> saved the rest, in the same transaction (<see cref="Added"/>, <see cref="StateChanges"/>).
/// Nothing else can refer to those rows: a component added here is never tracked by <see cref="Db"/>.
/// </remarks>
public sealed class RegistryWrite
{
    private readonly Registry _registry;
    private readonly TimeProvider _clock;
    private readonly EventSequence _sequence;
    private readonly HashSet<string> _touched;
    private readonly List<StateChange> _stateChanges;
    private readonly OrderedDictionary<string, Component>? _added;

    /// <param name="changes">How many changes the group holds: room is made for one component and state change each.</param>
    public RegistryWrite(ITektonDbContext db, Registry registry, TimeProvider clock, EventSequence sequence, bool insertsByStore = false, int changes = 0)
    {
        Db = db;
        _registry = registry;
        _clock = clock;
        _sequence = sequence;
        _touched = new HashSet<string>(changes, StringComparer.Ordinal);
        _stateChanges = new List<StateChange>(changes);
        _added = insertsByStore ? new OrderedDictionary<string, Component>(changes, StringComparer.Ordinal) : null;
    }

    public ITektonDbContext Db { get; }

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Ids of the components this group added, changed or removed.</summary>
    public IReadOnlyCollection<string> Touched => _touched;

    /// <summary>State changes recorded in this group, in order.</summary>
    public IReadOnlyList<StateChange> StateChanges => _stateChanges;

    /// <summary>With inserts by the store: the components this group added and did not remove again, for the store to insert.</summary>
    public IEnumerable<Component> Added => _added is null ? [] : _added.Values;

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
        if (_added is not null)
        {
            _added.Add(component.ComponentId, component);
        }
        else
        {
            Db.Components.Add(component);
        }
    }

    public void Add(ComponentInstance instance)
    {
        // An instance of a component added in this group is inserted with it, from its instance list.
        if (_added?.ContainsKey(instance.ComponentId) != true)
        {
            Db.Instances.Add(instance);
        }
    }

    public void Remove(Component component)
    {
        Find(component.ComponentId);
        _registry.Remove(component.ComponentId);
        if (_added?.Remove(component.ComponentId) != true)
        {
            Db.Components.Remove(component);
        }
    }

    /// <summary>Records a state change; it is published as an event once the group is committed.</summary>
    public void Record(StateChange change)
    {
        change.Sequenced(_sequence.Next());
        _stateChanges.Add(change);
        if (_added is null)
        {
            Db.StateChanges.Add(change);
        }
    }
}
