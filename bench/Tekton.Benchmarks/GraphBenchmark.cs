using System.Diagnostics;
using System.Globalization;
using Tekton.Domain.Dependencies;

namespace Tekton.Benchmarks;

/// <summary>Times DependencyGraph.Analyze (startup order, cycles, missing) on a random acyclic graph plus one cycle.</summary>
public static class GraphBenchmark
{
    public static int Run(int nodes, int edges, int runs)
    {
        var graph = Build(nodes, edges);
        for (var i = 0; i < 5; i++)
        {
            DependencyGraph.Analyze(graph);
        }

        var samples = new List<double>(runs);
        DependencyAnalysis? analysis = null;
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            analysis = DependencyGraph.Analyze(graph);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        samples.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"graph","nodes":{{nodes}},"edges":{{graph.Sum(n => n.Dependencies.Count)}},"runs":{{runs}},"median_ms":{{Percentile(samples, 0.5):F3}},"p95_ms":{{Percentile(samples, 0.95):F3}},"min_ms":{{samples[0]:F3}},"max_ms":{{samples[^1]:F3}},"startup_order":{{analysis!.StartupOrder.Count}},"cycles":{{analysis.Cycles.Count}}}"""));
        return 0;
    }

    /// <summary>Nodes depend only on older nodes (a DAG), except three that close one cycle, so every algorithm does real work.</summary>
    private static List<DependencyNode> Build(int nodes, int edges)
    {
        var random = new Random(20261124);
        var dependencies = new List<HashSet<string>>(nodes);
        for (var i = 0; i < nodes; i++)
        {
            dependencies.Add([]);
        }

        for (var added = 0; added < edges;)
        {
            var from = random.Next(1, nodes);
            if (dependencies[from].Add($"c{random.Next(0, from)}"))
            {
                added++;
            }
        }

        dependencies[nodes - 3].Add($"c{nodes - 1}");
        dependencies[nodes - 1].Add($"c{nodes - 3}");
        return [.. dependencies.Select((deps, i) => new DependencyNode($"c{i}", [.. deps]))];
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
