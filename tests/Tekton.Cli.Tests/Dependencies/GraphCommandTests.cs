using System.Text.RegularExpressions;

namespace Tekton.Cli.Tests.Dependencies;

[Collection(TektonCollection.Name)]
public sealed partial class GraphCommandTests(OpenTekton tekton)
{
    [Fact]
    public async Task Graph_as_dot_draws_an_edge_from_each_component_to_each_dependency_it_needs()
    {
        await RegisterChainAsync("dot");

        var result = await tekton.Cli.RunAsync("graph", "--format", "dot");

        result.ExitCode.Should().Be(0, result.ToString());
        result.OutputLines[0].Should().Be("digraph tekton {");
        result.OutputLines[^1].Should().Be("}");
        var edges = result.OutputLines.Select(line => DotEdge().Match(line)).Where(m => m.Success).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        edges.Where(e => e.Item1.StartsWith("dot-", StringComparison.Ordinal)).Should().BeEquivalentTo(
            [("dot-mid", "dot-base"), ("dot-top", "dot-mid"), ("dot-top", "dot-base")]);
    }

    [Fact]
    public async Task Graph_as_mermaid_draws_the_same_edges_between_labelled_nodes()
    {
        await RegisterChainAsync("mermaid");

        var result = await tekton.Cli.RunAsync("graph", "--format", "mermaid");

        result.ExitCode.Should().Be(0, result.ToString());
        result.OutputLines[0].Should().Be("flowchart TD");
        var labels = result.OutputLines.Select(line => MermaidNode().Match(line)).Where(m => m.Success).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var edges = result.OutputLines.Select(line => MermaidEdge().Match(line)).Where(m => m.Success)
            .Select(m => (labels[m.Groups[1].Value], labels[m.Groups[2].Value])).ToList();
        edges.Where(e => e.Item1.StartsWith("mermaid-", StringComparison.Ordinal)).Should().BeEquivalentTo(
            [("mermaid-mid", "mermaid-base"), ("mermaid-top", "mermaid-mid"), ("mermaid-top", "mermaid-base")]);
    }

    [Fact]
    public async Task Graph_as_a_tree_lists_the_startup_order_and_calls_out_cycles_and_missing_dependencies()
    {
        await RegisterChainAsync("tree");
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(Registrations.Component("tree-cycle-a", "service", "tree-cycle-b"));
        await client.RegisterComponentAsync(Registrations.Component("tree-cycle-b", "service", "tree-cycle-a"));
        await client.RegisterComponentAsync(Registrations.Component("tree-orphan", "service", "tree-ghost"));

        var result = await tekton.Cli.RunAsync("graph");

        result.ExitCode.Should().Be(0, result.ToString());
        var order = result.OutputLines.Select(line => TreePosition().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        order.Where(id => id.StartsWith("tree-", StringComparison.Ordinal)).Should().Equal("tree-base", "tree-orphan", "tree-mid", "tree-top");
        result.OutputLines.Should().Contain("cycle: tree-cycle-a -> tree-cycle-b -> tree-cycle-a");
        result.OutputLines.Should().Contain("missing: tree-orphan needs tree-ghost, not registered");
        result.OutputLines.Should().Contain(line => line.Contains("tree-ghost (not registered)", StringComparison.Ordinal));
    }

    private async Task RegisterChainAsync(string prefix)
    {
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(Registrations.Component($"{prefix}-base"));
        await client.RegisterComponentAsync(Registrations.Component($"{prefix}-mid", "service", $"{prefix}-base"));
        await client.RegisterComponentAsync(Registrations.Component($"{prefix}-top", "service", $"{prefix}-mid", $"{prefix}-base"));
    }

    [GeneratedRegex("""^  "([^"]+)" -> "([^"]+)"( \[.*\])?;$""")]
    private static partial Regex DotEdge();

    [GeneratedRegex("""^  (n\d+)\["([^"]+)"\]""")]
    private static partial Regex MermaidNode();

    [GeneratedRegex(@"^  (n\d+) -\.?->? (n\d+)$")]
    private static partial Regex MermaidEdge();

    [GeneratedRegex(@"\d+\. (\S+)$")]
    private static partial Regex TreePosition();
}
