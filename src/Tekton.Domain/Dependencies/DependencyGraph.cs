namespace Tekton.Domain.Dependencies;

/// <summary>
/// The graph algorithms of design §7, linear in nodes plus edges and free of recursion so that deep chains
/// cannot overflow the stack.
/// </summary>
public static class DependencyGraph
{
    /// <summary>The most entries a thread's reused search keeps room for between searches.</summary>
    private const int ReusedCapacity = 1024;

    [ThreadStatic]
    private static Dictionary<string, string>? _cameFrom;

    [ThreadStatic]
    private static Queue<string>? _queue;

    /// <summary>
    /// Analyzes the graph. <paramref name="nodesInRegistrationOrder"/> must be ordered oldest first: that order
    /// breaks ties in the startup order and chooses where each cycle is read from.
    /// </summary>
    public static DependencyAnalysis Analyze(IReadOnlyList<DependencyNode> nodesInRegistrationOrder)
    {
        var count = nodesInRegistrationOrder.Count;
        var ids = new string[count];
        var index = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            ids[i] = nodesInRegistrationOrder[i].Id;
            index.Add(ids[i], i);
        }

        var (dependencies, missing) = ResolveEdges(nodesInRegistrationOrder, index);
        var dependents = InvertEdges(dependencies);
        var startupOrder = StartupOrder(ids, dependencies, dependents);
        var (cycles, cycleOf) = Cycles(ids, dependencies);
        return new DependencyAnalysis(ids, index, dependencies, dependents, startupOrder, cycles, cycleOf, missing);
    }

    /// <summary>
    /// The shortest chain of dependencies from <paramref name="id"/> back to itself, both ends included
    /// (<c>[a, b, a]</c>: a needs b, b needs a), or <c>null</c>. Breadth first over what <paramref name="id"/>
    /// reaches, so it costs that part of the graph only; <paramref name="dependenciesOf"/> answers <c>null</c>
    /// for ids that are not registered.
    /// </summary>
    public static IReadOnlyList<string>? ShortestCycleThrough(string id, Func<string, IReadOnlyList<string>?> dependenciesOf) =>
        ShortestLoop(id, dependenciesOf);

    /// <summary>
    /// The same cycle as <see cref="ShortestCycleThrough"/>, found by walking the other way: from
    /// <paramref name="id"/> to what depends on it. For a component just registered this walks only the
    /// components that named it before it existed, usually few, where the walk along its dependencies would cover
    /// everything it needs, transitively.
    /// </summary>
    public static IReadOnlyList<string>? ShortestCycleThroughDependents(string id, Func<string, IEnumerable<string>?> dependentsOf)
    {
        var path = ShortestLoop(id, dependentsOf);
        path?.Reverse();
        return path;
    }

    /// <summary>
    /// Which of <paramref name="ids"/> lie on no dependency cycle, decided together with one walk of everything that
    /// depends on them, transitively (a cycle through a component lies within that part of the graph); or
    /// <c>null</c> when that part is larger than <paramref name="limit"/> components, and each must be searched
    /// alone. For components registered together this replaces one search per component, each of which would walk
    /// much of the same part again. The answer also names the part walked: a cycle that a change to these ids could
    /// have made passes through nothing else.
    /// </summary>
    public static CycleSearch? OffCycles(IEnumerable<string> ids, Func<string, IEnumerable<string>?> dependentsOf, int limit)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = new List<string>();
        foreach (var id in ids)
        {
            if (index.TryAdd(id, nodes.Count))
            {
                nodes.Add(id);
            }
        }

        var starts = nodes.Count;

        // The part of the graph reached from the ids along "is depended on by" edges, with its edges kept as
        // index lists: node i's dependents are edges[firstEdge[i]..firstEdge[i + 1]].
        var firstEdge = new List<int>();
        var edges = new List<int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            firstEdge.Add(edges.Count);
            foreach (var dependent in dependentsOf(nodes[i]) ?? [])
            {
                if (index.TryAdd(dependent, nodes.Count))
                {
                    if (nodes.Count == limit)
                    {
                        return null;
                    }

                    nodes.Add(dependent);
                }

                edges.Add(index[dependent]);
            }
        }

        firstEdge.Add(edges.Count);

        // Kahn's algorithm within that part: what it can take away in dependency order is on no cycle.
        var pending = new int[nodes.Count];
        foreach (var target in edges)
        {
            pending[target]++;
        }

        var ready = new Queue<int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i);
            }
        }

        var off = new HashSet<string>(StringComparer.Ordinal);
        while (ready.TryDequeue(out var node))
        {
            if (node < starts)
            {
                off.Add(nodes[node]);
            }

            for (var e = firstEdge[node]; e < firstEdge[node + 1]; e++)
            {
                if (--pending[edges[e]] == 0)
                {
                    ready.Enqueue(edges[e]);
                }
            }
        }

        return new CycleSearch(off, index);
    }

    private static List<string>? ShortestLoop(string id, Func<string, IEnumerable<string>?> neighboursOf)
    {
        // One search's bookkeeping per thread, reused: a registration searches on every call, and allocating these
        // afresh (and growing them) cost as much as the walk itself.
        var cameFrom = _cameFrom ??= new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = _queue ??= new Queue<string>();
        try
        {
            return ShortestLoop(id, neighboursOf, cameFrom, queue);
        }
        finally
        {
            cameFrom.Clear();
            queue.Clear();
            if (cameFrom.EnsureCapacity(0) > ReusedCapacity)
            {
                cameFrom.TrimExcess(ReusedCapacity);
                queue.TrimExcess();
            }
        }
    }

    private static List<string>? ShortestLoop(string id, Func<string, IEnumerable<string>?> neighboursOf, Dictionary<string, string> cameFrom, Queue<string> queue)
    {
        queue.Enqueue(id);
        while (queue.TryDequeue(out var node))
        {
            foreach (var next in neighboursOf(node) ?? [])
            {
                if (string.Equals(next, id, StringComparison.Ordinal))
                {
                    var path = new List<string> { id };
                    for (var at = node; !string.Equals(at, id, StringComparison.Ordinal); at = cameFrom[at])
                    {
                        path.Add(at);
                    }

                    path.Add(id);
                    path.Reverse(1, path.Count - 2);
                    return path;
                }

                if (cameFrom.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }

    private static (int[][] Dependencies, Dictionary<string, IReadOnlyList<string>> Missing) ResolveEdges(
        IReadOnlyList<DependencyNode> nodes, Dictionary<string, int> index)
    {
        var dependencies = new int[nodes.Count][];
        var missing = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var resolved = new List<int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            resolved.Clear();
            List<string>? absent = null;
            foreach (var dependency in nodes[i].Dependencies)
            {
                if (index.TryGetValue(dependency, out var d))
                {
                    if (!resolved.Contains(d))
                    {
                        resolved.Add(d);
                    }
                }
                else
                {
                    (absent ??= []).Add(dependency);
                }
            }

            dependencies[i] = [.. resolved];
            if (absent is not null)
            {
                missing.Add(nodes[i].Id, absent);
            }
        }

        return (dependencies, missing);
    }

    /// <summary>For each node, the nodes that depend on it, ascending (that is, in registration order).</summary>
    private static int[][] InvertEdges(int[][] dependencies)
    {
        var counts = new int[dependencies.Length];
        foreach (var edges in dependencies)
        {
            foreach (var d in edges)
            {
                counts[d]++;
            }
        }

        var dependents = new int[dependencies.Length][];
        for (var i = 0; i < dependents.Length; i++)
        {
            dependents[i] = new int[counts[i]];
            counts[i] = 0;
        }

        for (var i = 0; i < dependencies.Length; i++)
        {
            foreach (var d in dependencies[i])
            {
                dependents[d][counts[d]++] = i;
            }
        }

        return dependents;
    }

    /// <summary>Kahn's algorithm with a FIFO queue seeded and fed in registration order.</summary>
    private static string[] StartupOrder(string[] ids, int[][] dependencies, int[][] dependents)
    {
        var waitingOn = new int[ids.Length];
        var queue = new Queue<int>();
        for (var i = 0; i < ids.Length; i++)
        {
            waitingOn[i] = dependencies[i].Length;
            if (waitingOn[i] == 0)
            {
                queue.Enqueue(i);
            }
        }

        var order = new List<string>(ids.Length);
        while (queue.TryDequeue(out var next))
        {
            order.Add(ids[next]);
            foreach (var dependent in dependents[next])
            {
                if (--waitingOn[dependent] == 0)
                {
                    queue.Enqueue(dependent);
                }
            }
        }

        return [.. order];
    }

    /// <summary>Tarjan's strongly connected components, iteratively; every component of two or more nodes (or a self-loop) is a cycle.</summary>
    private static (IReadOnlyList<IReadOnlyList<string>> Cycles, int[] CycleOf) Cycles(string[] ids, int[][] dependencies)
    {
        var n = ids.Length;
        var order = new int[n];
        var low = new int[n];
        var onStack = new bool[n];
        var component = new int[n];
        Array.Fill(order, -1);
        Array.Fill(component, -1);
        var stack = new Stack<int>();
        var frames = new Stack<(int Node, int Edge)>();
        var counter = 0;
        var sccs = new List<int[]>();

        for (var root = 0; root < n; root++)
        {
            if (order[root] >= 0)
            {
                continue;
            }

            frames.Push((root, 0));
            order[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;
            while (frames.Count > 0)
            {
                var (node, edge) = frames.Pop();
                if (edge < dependencies[node].Length)
                {
                    frames.Push((node, edge + 1));
                    var next = dependencies[node][edge];
                    if (order[next] < 0)
                    {
                        order[next] = low[next] = counter++;
                        stack.Push(next);
                        onStack[next] = true;
                        frames.Push((next, 0));
                    }
                    else if (onStack[next])
                    {
                        low[node] = Math.Min(low[node], order[next]);
                    }

                    continue;
                }

                if (frames.Count > 0)
                {
                    var parent = frames.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }

                if (low[node] == order[node])
                {
                    var members = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        members.Add(member);
                    }
                    while (member != node);

                    if (members.Count > 1 || dependencies[node].Contains(node))
                    {
                        sccs.Add([.. members]);
                    }
                }
            }
        }

        sccs.Sort((a, b) => a.Min().CompareTo(b.Min()));
        var cycles = new List<IReadOnlyList<string>>(sccs.Count);
        foreach (var scc in sccs)
        {
            foreach (var member in scc)
            {
                component[member] = cycles.Count;
            }

            cycles.Add(ReadCycle(scc, ids, dependencies, component));
        }

        return (cycles, component);
    }

    /// <summary>
    /// Lists a cycle's members in dependency order: from its oldest member, each next id is one the previous
    /// depends on (depth first, oldest dependency first), so <c>[a, b, c]</c> reads "a needs b needs c".
    /// </summary>
    private static string[] ReadCycle(int[] members, string[] ids, int[][] dependencies, int[] component)
    {
        var cycle = component[members[0]];
        var visited = new HashSet<int>();
        var result = new List<string>(members.Length);
        var pending = new Stack<int>();
        pending.Push(members.Min());
        while (pending.TryPop(out var node))
        {
            if (!visited.Add(node))
            {
                continue;
            }

            result.Add(ids[node]);
            var next = dependencies[node].Where(d => component[d] == cycle && !visited.Contains(d)).OrderDescending();
            foreach (var d in next)
            {
                pending.Push(d);
            }
        }

        return [.. result];
    }
}

/// <summary>What <see cref="DependencyGraph.OffCycles"/> found: the ids on no cycle, and the part of the graph it walked.</summary>
public sealed class CycleSearch
{
    private readonly HashSet<string> _off;
    private readonly Dictionary<string, int> _reached;

    internal CycleSearch(HashSet<string> off, Dictionary<string, int> reached)
    {
        _off = off;
        _reached = reached;
    }

    /// <summary>The searched ids found on no cycle.</summary>
    public IReadOnlyCollection<string> Off => _off;

    public bool IsOff(string id) => _off.Contains(id);

    /// <summary>True for the searched ids and everything that depends on them, transitively.</summary>
    public bool Reached(string id) => _reached.ContainsKey(id);
}
