using Tekton.Domain.Dependencies;

namespace Tekton.Application.Common;

/// <summary>
/// Which recently registered components are known to lie on no dependency cycle, carried from snapshot to snapshot
/// (immutable, so each snapshot keeps its own). A commit that registers components with dependencies searches them
/// together once (<see cref="DependencyGraph.OffCycles"/>); a registration's answer then needs no search of its own,
/// even when later commits have been published before it reads the registry.
/// </summary>
/// <remarks>
/// A later commit can put a component on a cycle only through a component it registered (or gave other
/// dependencies), with the component among those that depend on it, transitively: inside the part of the graph that
/// commit's own search walked. So what an older search found stays true until a newer search walks over it, or gives
/// up. The last <see cref="Depth"/> searches are kept; a registration whose search is older searches alone.
/// </remarks>
public sealed class CycleKnowledge
{
    /// <summary>How many commits' searches are kept.</summary>
    public const int Depth = 8;

    public static readonly CycleKnowledge None = new([]);

    // Newest first; a null entry is a search that gave up, before which nothing is known.
    private readonly CycleSearch?[] _searches;

    private CycleKnowledge(CycleSearch?[] searches) => _searches = searches;

    /// <summary>This knowledge with a newer commit's search (<c>null</c>: it gave up) in front.</summary>
    public CycleKnowledge After(CycleSearch? search)
    {
        var kept = Math.Min(_searches.Length, Depth - 1);
        var searches = new CycleSearch?[kept + 1];
        searches[0] = search;
        Array.Copy(_searches, 0, searches, 1, kept);
        return new CycleKnowledge(searches);
    }

    /// <summary>True when a kept search found the component on no cycle and no newer search walked over it.</summary>
    public bool IsOffCycles(string componentId)
    {
        foreach (var search in _searches)
        {
            if (search is null)
            {
                return false;
            }

            if (search.IsOff(componentId))
            {
                return true;
            }

            if (search.Reached(componentId))
            {
                return false;
            }
        }

        return false;
    }
}
