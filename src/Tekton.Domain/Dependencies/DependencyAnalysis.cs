namespace Tekton.Domain.Dependencies;

/// <summary>The result of <see cref="DependencyGraph.Analyze"/>: everything the API reports about the graph.</summary>
public sealed class DependencyAnalysis
{
    private readonly Dictionary<string, int> _index;
    private readonly string[] _ids;
    private readonly int[][] _dependents;
    private readonly int[] _cycleOf;

    private readonly int[][] _dependencies;

    internal DependencyAnalysis(
        string[] ids,
        Dictionary<string, int> index,
        int[][] dependencies,
        int[][] dependents,
        IReadOnlyList<string> startupOrder,
        IReadOnlyList<IReadOnlyList<string>> cycles,
        int[] cycleOf,
        IReadOnlyDictionary<string, IReadOnlyList<string>> missing)
    {
        _ids = ids;
        _index = index;
        _dependencies = dependencies;
        _dependents = dependents;
        StartupOrder = startupOrder;
        Cycles = cycles;
        _cycleOf = cycleOf;
        Missing = missing;
    }

    /// <summary>Every component that can be started, dependencies first; components in or behind a cycle are left out.</summary>
    public IReadOnlyList<string> StartupOrder { get; }

    /// <summary>Each cycle (a strongly connected component), ids in dependency order starting at its oldest member.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles { get; }

    /// <summary>Components that declare dependencies which are not registered, with those ids.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Missing { get; }

    /// <summary>The registered components that declare <paramref name="id"/> as a dependency, in registration order.</summary>
    public IReadOnlyList<string> DependentsOf(string id) =>
        _index.TryGetValue(id, out var i) ? Array.ConvertAll(_dependents[i], d => _ids[d]) : [];

    /// <summary>The cycle that <paramref name="id"/> is part of, or <c>null</c>.</summary>
    public IReadOnlyList<string>? CycleContaining(string id) =>
        _index.TryGetValue(id, out var i) && _cycleOf[i] >= 0 ? Cycles[_cycleOf[i]] : null;

    /// <summary>
    /// The shortest chain of dependencies that leads from <paramref name="id"/> back to itself, both ends
    /// included (<c>[a, b, a]</c>: a needs b, b needs a); <c>null</c> when the component is in no cycle.
    /// </summary>
    public IReadOnlyList<string>? CyclePathThrough(string id) =>
        _index.TryGetValue(id, out var start) && _cycleOf[start] >= 0
            ? DependencyGraph.ShortestCycleThrough(id, node => _index.TryGetValue(node, out var i) ? Array.ConvertAll(_dependencies[i], d => _ids[d]) : null)
            : null;
}
