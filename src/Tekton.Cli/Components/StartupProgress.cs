using Tekton.Client;

namespace Tekton.Cli.Components;

/// <summary>
/// The components a start involves (the target and its dependencies, direct or not, in startup order) and the
/// state each is in, as the state events report it.
/// </summary>
internal sealed class StartupProgress
{
    private readonly Dictionary<string, string?> _states;

    public StartupProgress(string target, IReadOnlyList<string> components, IReadOnlyDictionary<string, string> currentStates)
    {
        Target = target;
        Components = components;
        _states = components.ToDictionary(id => id, id => currentStates.TryGetValue(id, out var state) ? state : null);
    }

    /// <summary>The component asked for.</summary>
    public string Target { get; }

    /// <summary>Every component the start involves, in startup order, the target last.</summary>
    public IReadOnlyList<string> Components { get; }

    /// <summary>The target serves (<c>ready</c> or <c>degraded</c>).</summary>
    public bool TargetServing => ComponentStates.IsServing(_states[Target]);

    /// <summary>The target ended (<c>failed</c> or <c>stopped</c>).</summary>
    public bool TargetEnded => _states[Target] is ComponentStates.Failed or ComponentStates.Stopped;

    /// <summary>
    /// The target and every dependency it needs, direct or not, that is registered: in startup order, then those
    /// the order leaves out (in or behind a cycle), the target last.
    /// </summary>
    public static IReadOnlyList<string> Involved(DependencyGraph graph, string target)
    {
        var needed = new HashSet<string>();
        var pending = new Stack<string>([target]);
        while (pending.TryPop(out var id))
        {
            if (needed.Add(id) && graph.Dependencies.TryGetValue(id, out var dependencies))
            {
                foreach (var dependency in dependencies.Where(graph.Dependencies.ContainsKey))
                {
                    pending.Push(dependency);
                }
            }
        }

        var ordered = graph.StartupOrder.Where(id => needed.Contains(id) && id != target).ToList();
        ordered.AddRange(graph.Dependencies.Keys.Where(id => needed.Contains(id) && id != target && !ordered.Contains(id)));
        ordered.Add(target);
        return ordered;
    }

    /// <summary>The state <paramref name="componentId"/> is known to be in; <c>null</c> when not known.</summary>
    public string? StateOf(string componentId) => _states.GetValueOrDefault(componentId);

    /// <summary>Records a state change; <c>true</c> when it concerns an involved component and changes its state.</summary>
    public bool Apply(string componentId, string state)
    {
        if (!_states.TryGetValue(componentId, out var known) || known == state)
        {
            return false;
        }

        _states[componentId] = state;
        return true;
    }
}
