using System.Collections.Immutable;
using Tekton.Domain.Components;
using Tekton.Domain.Dependencies;

namespace Tekton.Application.Common;

/// <summary>
/// One committed state of the registry, immutable, so a reader never sees a half-applied write. Derived
/// answers (registration order, the dependency analysis) are computed once per snapshot, on first use.
/// </summary>
public sealed class RegistrySnapshot
{
    /// <summary>The component type whose components serve models (design §9).</summary>
    public const string ModelServerType = "llm";

    public static readonly RegistrySnapshot Empty = new(
        PersistentMap.Create<string, ComponentView>(StringComparer.Ordinal), 0, ImmutableSortedSet.Create<string>(StringComparer.Ordinal),
        PersistentMap.Create<string, DependentSet>(StringComparer.Ordinal),
        PersistentMap.Create<string, ComponentView>(StringComparer.Ordinal));

    private readonly Lazy<ComponentView[]> _ordered;
    private readonly Lazy<DependencyAnalysis> _dependencies;

    public RegistrySnapshot(
        PersistentMap<string, ComponentView> components,
        long version,
        ImmutableSortedSet<string> modelServers,
        PersistentMap<string, DependentSet> dependents,
        PersistentMap<string, ComponentView> attended,
        CycleKnowledge? cycles = null)
    {
        Cycles = cycles ?? CycleKnowledge.None;
        ById = components;
        Version = version;
        ModelServers = modelServers;
        DependentsById = dependents;
        Attended = attended;
        _ordered = new Lazy<ComponentView[]>(() => [.. ById.Values.OrderBy(c => c.RegistrationSequence)]);
        _dependencies = new Lazy<DependencyAnalysis>(() =>
            DependencyGraph.Analyze([.. InRegistrationOrder.Select(c => new DependencyNode(c.ComponentId, c.Dependencies))]));
    }

    public PersistentMap<string, ComponentView> ById { get; }

    /// <summary>Increases with every published commit.</summary>
    public long Version { get; }

    public int Count => ById.Count;

    /// <summary>Every component, oldest registration first.</summary>
    public IReadOnlyList<ComponentView> InRegistrationOrder => _ordered.Value;

    public DependencyAnalysis Dependencies => _dependencies.Value;

    /// <summary>Ids of the components of type <c>llm</c>, kept up to date with each commit rather than found by a scan.</summary>
    public ImmutableSortedSet<string> ModelServers { get; }

    /// <summary>
    /// For each id that some component declares as a dependency (registered or not), the ids of the components
    /// that declare it; kept up to date with each commit, so "does anything depend on X" is one look-up.
    /// </summary>
    public PersistentMap<string, DependentSet> DependentsById { get; }

    /// <summary>
    /// The components that the per-second work watches (<see cref="IsAttended"/>): the heartbeat sweep, the health
    /// checks and the resource monitor visit these, not every component, so a registry of many components that
    /// were registered and never ran costs them nothing. Kept up to date with each commit.
    /// </summary>
    public PersistentMap<string, ComponentView> Attended { get; }

    public ComponentView? Find(string componentId) => ById.GetValueOrDefault(componentId);

    /// <summary>Which recently registered components are known to lie on no dependency cycle.</summary>
    public CycleKnowledge Cycles { get; }

    /// <summary>
    /// True when a recent commit's search found <paramref name="componentId"/> on no dependency cycle, and nothing
    /// since could have put it on one; false when that is not known, and a search must tell.
    /// </summary>
    public bool IsKnownOffCycles(string componentId) => Cycles.IsOffCycles(componentId);

    /// <summary>The components that declare <paramref name="componentId"/> as a dependency.</summary>
    public DependentSet DependentsOf(string componentId) => DependentsById.GetValueOrDefault(componentId) ?? DependentSet.Empty;

    /// <summary>
    /// True when some instance has left <c>registered</c> without being <c>stopped</c> (initializing, ready,
    /// degraded, stopping or failed), or has a process: only such an instance can miss a heartbeat, be health
    /// checked or be measured.
    /// </summary>
    public static bool IsAttended(ComponentView view)
    {
        foreach (var instance in view.Instances)
        {
            if (instance.Status is not (ComponentState.Registered or ComponentState.Stopped) || instance.Pid is not null)
            {
                return true;
            }
        }

        return false;
    }
}
