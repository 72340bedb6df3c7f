using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;
using Tekton.Client;

namespace Tekton.Cli.Dependencies;

/// <summary>
/// The dependency graph as a tree, as Graphviz DOT and as a Mermaid flowchart. In DOT and Mermaid an edge
/// points from a component to a dependency it needs; edges inside a cycle are red, and a dependency that is not
/// registered is a dashed node with a dashed edge.
/// </summary>
internal static class GraphFormats
{
    /// <summary>Every component in startup order, then those the order leaves out, in registration order.</summary>
    public static IReadOnlyList<string> Components(DependencyGraph graph) =>
        [.. graph.StartupOrder, .. graph.Dependencies.Keys.Where(id => !graph.StartupOrder.Contains(id))];

    /// <summary>Whether the edge from <paramref name="component"/> to <paramref name="dependency"/> lies in a cycle.</summary>
    public static bool InCycle(DependencyGraph graph, string component, string dependency) =>
        graph.CircularDependencies.Any(cycle => cycle.Contains(component) && cycle.Contains(dependency));

    public static string Dot(DependencyGraph graph)
    {
        var dot = new StringBuilder();
        dot.AppendLine("digraph tekton {");
        dot.AppendLine("  // an edge points from a component to a dependency it needs");
        foreach (var id in Components(graph))
        {
            dot.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(id)};");
        }

        foreach (var missing in Missing(graph))
        {
            dot.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(missing)} [style=dashed, label={Quote(missing + " (not registered)")}];");
        }

        foreach (var (component, dependency) in Edges(graph))
        {
            var style = !graph.Dependencies.ContainsKey(dependency) ? " [style=dashed]"
                : InCycle(graph, component, dependency) ? " [color=red]"
                : "";
            dot.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(component)} -> {Quote(dependency)}{style};");
        }

        dot.Append('}');
        return dot.ToString();
    }

    public static string Mermaid(DependencyGraph graph)
    {
        var nodes = Components(graph).Concat(Missing(graph)).Select((id, index) => (id, index)).ToDictionary(n => n.id, n => $"n{n.index}");
        var mermaid = new StringBuilder();
        mermaid.AppendLine("flowchart TD");
        mermaid.AppendLine("  %% an edge points from a component to a dependency it needs");
        foreach (var id in Components(graph))
        {
            mermaid.AppendLine(CultureInfo.InvariantCulture, $"  {nodes[id]}[\"{Label(id)}\"]");
        }

        foreach (var missing in Missing(graph))
        {
            mermaid.AppendLine(CultureInfo.InvariantCulture, $"  {nodes[missing]}[\"{Label(missing)} (not registered)\"]:::missing");
        }

        var edges = Edges(graph).ToList();
        foreach (var (component, dependency) in edges)
        {
            var arrow = graph.Dependencies.ContainsKey(dependency) ? "-->" : "-.->";
            mermaid.AppendLine(CultureInfo.InvariantCulture, $"  {nodes[component]} {arrow} {nodes[dependency]}");
        }

        mermaid.AppendLine("  classDef missing stroke-dasharray: 5 5");
        var cycleEdges = edges.Select((edge, index) => (edge, index)).Where(e => InCycle(graph, e.edge.Component, e.edge.Dependency)).Select(e => e.index).ToList();
        if (cycleEdges.Count > 0)
        {
            mermaid.AppendLine(CultureInfo.InvariantCulture, $"  linkStyle {string.Join(',', cycleEdges)} stroke:red");
        }

        return mermaid.ToString().TrimEnd();
    }

    /// <summary>The startup order as a tree, each component with what it needs; cycles and missing dependencies called out.</summary>
    public static IRenderable Tree(DependencyGraph graph)
    {
        var parts = new List<IRenderable>();
        var order = new Tree("[bold]startup order[/]");
        var position = 0;
        foreach (var id in graph.StartupOrder)
        {
            AddNeeds(order.AddNode($"{++position}. {Markup.Escape(id)}"), graph, id);
        }

        parts.Add(order);
        var left = Components(graph).Skip(graph.StartupOrder.Count).ToList();
        if (left.Count > 0)
        {
            var blocked = new Tree("[bold]not startable[/] (in a cycle or needing one)");
            foreach (var id in left)
            {
                AddNeeds(blocked.AddNode($"[red]{Markup.Escape(id)}[/]"), graph, id);
            }

            parts.Add(blocked);
        }

        foreach (var cycle in graph.CircularDependencies)
        {
            parts.Add(new Markup($"[red]cycle:[/] {Markup.Escape(string.Join(" -> ", cycle.Append(cycle[0])))}"));
        }

        foreach (var (id, missing) in graph.MissingDependencies)
        {
            parts.Add(new Markup($"[red]missing:[/] {Markup.Escape(id)} needs {Markup.Escape(string.Join(", ", missing))}, not registered"));
        }

        return new Rows(parts);
    }

    private static void AddNeeds(TreeNode node, DependencyGraph graph, string id)
    {
        foreach (var dependency in graph.Dependencies.GetValueOrDefault(id) ?? [])
        {
            var text = Markup.Escape(dependency);
            node.AddNode(!graph.Dependencies.ContainsKey(dependency) ? $"[red]{text} (not registered)[/]"
                : InCycle(graph, id, dependency) ? $"[red]{text} (cycle)[/]"
                : text);
        }
    }

    private static IEnumerable<(string Component, string Dependency)> Edges(DependencyGraph graph) =>
        Components(graph).SelectMany(id => (graph.Dependencies.GetValueOrDefault(id) ?? []).Select(dependency => (id, dependency)));

    private static IEnumerable<string> Missing(DependencyGraph graph) =>
        graph.Dependencies.Values.SelectMany(d => d).Where(id => !graph.Dependencies.ContainsKey(id)).Distinct();

    private static string Quote(string id) => $"\"{id.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    private static string Label(string id) => id.Replace("\"", "#quot;", StringComparison.Ordinal);
}
