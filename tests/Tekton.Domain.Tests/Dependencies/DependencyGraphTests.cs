using Tekton.Domain.Dependencies;

namespace Tekton.Domain.Tests.Dependencies;

public sealed class DependencyGraphTests
{
    private static readonly DependencyNode[] ReferenceStack =
    [
        Node("hermes"),
        Node("engram", "hermes"),
        Node("rhetor", "hermes", "engram"),
        Node("athena", "hermes", "engram"),
        Node("ergon", "hermes", "rhetor"),
        Node("api_gateway", "hermes", "engram", "rhetor"),
    ];

    [Fact]
    public void The_reference_stack_starts_in_the_reference_order()
    {
        var analysis = DependencyGraph.Analyze(ReferenceStack);

        analysis.StartupOrder.Should().Equal("hermes", "engram", "rhetor", "athena", "ergon", "api_gateway");
        analysis.Cycles.Should().BeEmpty();
        analysis.Missing.Should().BeEmpty();
    }

    [Fact]
    public void An_empty_graph_has_nothing_to_start()
    {
        var analysis = DependencyGraph.Analyze([]);

        analysis.StartupOrder.Should().BeEmpty();
        analysis.Cycles.Should().BeEmpty();
        analysis.Missing.Should().BeEmpty();
        analysis.DependentsOf("hermes").Should().BeEmpty();
    }

    [Fact]
    public void Independent_components_start_in_registration_order()
    {
        var analysis = DependencyGraph.Analyze([Node("zeta"), Node("alpha"), Node("mid")]);

        analysis.StartupOrder.Should().Equal("zeta", "alpha", "mid");
    }

    [Fact]
    public void Startup_order_is_kahn_with_a_fifo_queue_seeded_in_registration_order()
    {
        // c becomes ready only when a is taken, so it queues behind d, which was ready from the start.
        var analysis = DependencyGraph.Analyze([Node("a"), Node("b"), Node("c", "a"), Node("d")]);

        analysis.StartupOrder.Should().Equal("a", "b", "d", "c");
    }

    [Fact]
    public void A_dependency_registered_after_its_dependent_still_starts_first()
    {
        var analysis = DependencyGraph.Analyze([Node("api_gateway", "hermes"), Node("hermes")]);

        analysis.StartupOrder.Should().Equal("hermes", "api_gateway");
    }

    [Fact]
    public void A_two_node_cycle_is_reported_and_left_out_with_everything_behind_it()
    {
        var analysis = DependencyGraph.Analyze(
        [
            Node("base"),
            Node("a", "base", "b"),
            Node("b", "a"),
            Node("c", "a"),
            Node("d", "c"),
            Node("e", "base"),
        ]);

        analysis.Cycles.Should().ContainSingle().Which.Should().Equal("a", "b");
        analysis.StartupOrder.Should().Equal("base", "e");
        analysis.CycleContaining("a").Should().Equal("a", "b");
        analysis.CycleContaining("b").Should().Equal("a", "b");
        analysis.CycleContaining("c").Should().BeNull("c is behind the cycle, not in it");
        analysis.CycleContaining("base").Should().BeNull();
        analysis.CyclePathThrough("a").Should().Equal("a", "b", "a");
        analysis.CyclePathThrough("b").Should().Equal("b", "a", "b");
        analysis.CyclePathThrough("d").Should().BeNull();
        analysis.Missing.Should().BeEmpty();
    }

    [Fact]
    public void A_three_node_cycle_is_listed_from_its_oldest_member_in_dependency_order()
    {
        // a needs c, c needs b, b needs a: dependency order differs from registration order.
        var analysis = DependencyGraph.Analyze(
        [
            Node("free"),
            Node("a", "c"),
            Node("b", "a"),
            Node("c", "b"),
            Node("behind", "free", "b"),
            Node("after", "free"),
        ]);

        analysis.Cycles.Should().ContainSingle().Which.Should().Equal("a", "c", "b");
        analysis.StartupOrder.Should().Equal("free", "after");
        analysis.CycleContaining("c").Should().Equal("a", "c", "b");
        analysis.CyclePathThrough("a").Should().Equal("a", "c", "b", "a");
        analysis.CyclePathThrough("b").Should().Equal("b", "a", "c", "b");
        analysis.CyclePathThrough("behind").Should().BeNull();
    }

    [Fact]
    public void Two_separate_cycles_are_both_reported_ordered_by_their_oldest_member()
    {
        // The search from p closes {m, n} before {p, q}; the report still lists {p, q} first.
        var analysis = DependencyGraph.Analyze(
        [
            Node("p", "m", "q"),
            Node("m", "n"),
            Node("n", "m"),
            Node("q", "p"),
            Node("free"),
        ]);

        analysis.Cycles.Should().HaveCount(2);
        analysis.Cycles[0].Should().Equal("p", "q");
        analysis.Cycles[1].Should().Equal("m", "n");
        analysis.StartupOrder.Should().Equal("free");
        analysis.CycleContaining("n").Should().Equal("m", "n");
        analysis.CycleContaining("q").Should().Equal("p", "q");
    }

    [Fact]
    public void A_self_loop_is_a_cycle()
    {
        var analysis = DependencyGraph.Analyze([Node("a", "a"), Node("b", "a"), Node("c")]);

        analysis.Cycles.Should().ContainSingle().Which.Should().Equal("a");
        analysis.StartupOrder.Should().Equal("c");
        analysis.CycleContaining("a").Should().Equal("a");
        analysis.CyclePathThrough("a").Should().Equal("a", "a");
        analysis.CycleContaining("b").Should().BeNull();
        analysis.DependentsOf("a").Should().Equal("a", "b");
    }

    [Fact]
    public void CyclePathThrough_takes_the_shortest_way_back()
    {
        // a -> b -> c -> d -> a is one way round; a -> d -> a is shorter.
        var analysis = DependencyGraph.Analyze([Node("a", "b", "d"), Node("b", "c"), Node("c", "d"), Node("d", "a")]);

        analysis.Cycles.Should().ContainSingle().Which.Should().Equal("a", "b", "c", "d");
        analysis.CyclePathThrough("a").Should().Equal("a", "d", "a");
        analysis.CyclePathThrough("d").Should().Equal("d", "a", "d");
        analysis.CyclePathThrough("b").Should().Equal("b", "c", "d", "a", "b");
    }

    [Fact]
    public void The_cycle_found_from_the_dependents_side_is_the_same_path_in_dependency_order()
    {
        Dictionary<string, string[]> dependencies = new()
        {
            ["a"] = ["b", "d"], ["b"] = ["c"], ["c"] = ["d"], ["d"] = ["a"], ["e"] = ["f"], ["f"] = [],
        };
        IEnumerable<string> DependentsOf(string id) => dependencies.Where(e => e.Value.Contains(id)).Select(e => e.Key);

        DependencyGraph.ShortestCycleThroughDependents("a", DependentsOf).Should().Equal("a", "d", "a");
        DependencyGraph.ShortestCycleThroughDependents("b", DependentsOf).Should().Equal("b", "c", "d", "a", "b");
        DependencyGraph.ShortestCycleThroughDependents("b", DependentsOf)
            .Should().Equal(DependencyGraph.ShortestCycleThrough("b", id => dependencies.GetValueOrDefault(id)));
        DependencyGraph.ShortestCycleThroughDependents("e", DependentsOf).Should().BeNull();
        DependencyGraph.ShortestCycleThroughDependents("ghost", DependentsOf).Should().BeNull();
    }

    [Fact]
    public void Components_searched_together_are_off_cycles_exactly_when_no_search_alone_finds_one()
    {
        // a <-> d is a cycle, and b -> c -> d -> a -> b another through b; e depends on the cycle but is on none;
        // f and g are a chain.
        Dictionary<string, string[]> dependencies = new()
        {
            ["a"] = ["b", "d"], ["b"] = ["c"], ["c"] = ["d"], ["d"] = ["a"], ["e"] = ["a"], ["f"] = [], ["g"] = ["f"],
        };
        IEnumerable<string> DependentsOf(string id) => dependencies.Where(e => e.Value.Contains(id)).Select(e => e.Key);

        DependencyGraph.OffCycles(["a", "e", "f", "g", "ghost"], DependentsOf, limit: 100)!.Off
            .Should().BeEquivalentTo(["f", "g", "ghost"], "e depends on a cycle without being on it, but Kahn's order never reaches it");
        DependencyGraph.OffCycles(["f", "g"], DependentsOf, limit: 100)!.Off.Should().BeEquivalentTo(["f", "g"]);
        DependencyGraph.OffCycles(["b", "c"], DependentsOf, limit: 100)!.Off.Should().BeEmpty();
        var fromF = DependencyGraph.OffCycles(["f"], DependentsOf, limit: 100)!;
        fromF.Reached("g").Should().BeTrue("g depends on f");
        fromF.Reached("a").Should().BeFalse();
    }

    [Fact]
    public void The_joint_search_answers_what_searches_one_at_a_time_answer()
    {
        var random = new Random(20261207);
        for (var round = 0; round < 300; round++)
        {
            var count = random.Next(2, 30);
            var dependencies = Enumerable.Range(0, count).ToDictionary(
                i => $"c{i}",
                i => Enumerable.Range(0, random.Next(0, 3)).Select(_ => $"c{random.Next(count)}").Where(d => d != $"c{i}").Distinct().ToArray());
            var dependents = dependencies.SelectMany(e => e.Value.Select(d => (d, e.Key))).ToLookup(p => p.d, p => p.Key);
            var searched = dependencies.Keys.Where(_ => random.Next(2) == 0).ToList();
            HashSet<string> Reach(IEnumerable<string> from)
            {
                var seen = new HashSet<string>(from);
                var queue = new Queue<string>(seen);
                while (queue.TryDequeue(out var id))
                {
                    foreach (var next in dependents[id].Where(seen.Add))
                    {
                        queue.Enqueue(next);
                    }
                }

                return seen;
            }

            var off = DependencyGraph.OffCycles(searched, id => dependents[id], limit: 1000)!.Off;

            // Kahn's order takes away a component unless it is on a cycle, or depends (transitively) on one that
            // the walk reached.
            var onCycle = Reach(searched).Where(id => DependencyGraph.ShortestCycleThroughDependents(id, i => dependents[i]) is not null).ToList();
            var behindCycles = Reach(onCycle);
            off.Should().BeEquivalentTo(searched.Where(id => !behindCycles.Contains(id)), $"round {round}");
            off.Should().NotIntersectWith(onCycle);
        }
    }

    [Fact]
    public void The_joint_search_gives_up_past_its_limit()
    {
        // A chain of 50: the walk from its first link covers all of it.
        IEnumerable<string> DependentsOf(string id) => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) is var n && n < 49 ? [$"c{n + 1}"] : [];

        DependencyGraph.OffCycles(["c0"], DependentsOf, limit: 20).Should().BeNull();
        DependencyGraph.OffCycles(["c0"], DependentsOf, limit: 50)!.Off.Should().BeEquivalentTo(["c0"]);
    }

    [Fact]
    public void Cycle_queries_about_an_unknown_id_answer_null()
    {
        var analysis = DependencyGraph.Analyze([Node("a", "b"), Node("b", "a")]);

        analysis.CycleContaining("ghost").Should().BeNull();
        analysis.CyclePathThrough("ghost").Should().BeNull();
    }

    [Fact]
    public void A_missing_dependency_is_reported_and_its_dependent_still_starts()
    {
        var analysis = DependencyGraph.Analyze([Node("hermes"), Node("orphan", "ghost"), Node("mixed", "hermes", "ghost", "phantom")]);

        analysis.Missing.Should().HaveCount(2);
        analysis.Missing["orphan"].Should().Equal("ghost");
        analysis.Missing["mixed"].Should().Equal("ghost", "phantom");
        analysis.StartupOrder.Should().Equal("hermes", "orphan", "mixed");
        analysis.Cycles.Should().BeEmpty();
        analysis.DependentsOf("ghost").Should().BeEmpty("an unregistered id has no entry in the graph");
    }

    [Fact]
    public void Duplicate_dependency_ids_count_once()
    {
        var analysis = DependencyGraph.Analyze([Node("a"), Node("b", "a", "a"), Node("c", "b", "a", "b")]);

        analysis.StartupOrder.Should().Equal("a", "b", "c");
        analysis.DependentsOf("a").Should().Equal("b", "c");
        analysis.DependentsOf("b").Should().Equal("c");
        analysis.Cycles.Should().BeEmpty();
        analysis.Missing.Should().BeEmpty();
    }

    [Fact]
    public void Duplicate_dependency_ids_in_a_cycle_count_once()
    {
        var analysis = DependencyGraph.Analyze([Node("a", "b", "b"), Node("b", "a", "a")]);

        analysis.Cycles.Should().ContainSingle().Which.Should().Equal("a", "b");
        analysis.CyclePathThrough("a").Should().Equal("a", "b", "a");
        analysis.StartupOrder.Should().BeEmpty();
    }

    [Theory]
    [InlineData("hermes", new[] { "engram", "rhetor", "athena", "ergon", "api_gateway" })]
    [InlineData("engram", new[] { "rhetor", "athena", "api_gateway" })]
    [InlineData("rhetor", new[] { "ergon", "api_gateway" })]
    [InlineData("athena", new string[0])]
    [InlineData("api_gateway", new string[0])]
    [InlineData("ghost", new string[0])]
    public void DependentsOf_lists_direct_dependents_in_registration_order(string id, string[] dependents)
    {
        var analysis = DependencyGraph.Analyze(ReferenceStack);

        analysis.DependentsOf(id).Should().Equal(dependents);
    }

    [Fact]
    public void A_chain_of_100000_components_is_ordered_without_overflowing_the_stack()
    {
        const int count = 100_000;
        var nodes = new DependencyNode[count];
        nodes[0] = Node("n0");
        for (var i = 1; i < count; i++)
        {
            nodes[i] = Node($"n{i}", $"n{i - 1}");
        }

        var analysis = DependencyGraph.Analyze(nodes);

        analysis.StartupOrder.Should().Equal(nodes.Select(n => n.Id));
        analysis.Cycles.Should().BeEmpty();
        analysis.DependentsOf("n99998").Should().Equal("n99999");
    }

    [Fact]
    public void A_chain_of_100000_registered_dependents_first_is_searched_without_overflowing_the_stack()
    {
        // Each depends on the next one registered: the cycle search from the first goes 100,000 deep.
        const int count = 100_000;
        var nodes = new DependencyNode[count];
        for (var i = 0; i < count - 1; i++)
        {
            nodes[i] = Node($"n{i}", $"n{i + 1}");
        }

        nodes[count - 1] = Node($"n{count - 1}");

        var analysis = DependencyGraph.Analyze(nodes);

        analysis.StartupOrder.Should().Equal(nodes.Select(n => n.Id).Reverse());
        analysis.Cycles.Should().BeEmpty();
    }

    [Fact]
    public void A_ring_of_100000_components_is_one_cycle_read_without_overflowing_the_stack()
    {
        const int count = 100_000;
        var nodes = new DependencyNode[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = Node($"n{i}", $"n{(i + 1) % count}");
        }

        var analysis = DependencyGraph.Analyze(nodes);

        analysis.StartupOrder.Should().BeEmpty();
        analysis.Cycles.Should().ContainSingle().Which.Should().Equal(nodes.Select(n => n.Id));
        var path = analysis.CyclePathThrough("n0");
        path.Should().HaveCount(count + 1);
        path![0].Should().Be("n0");
        path[1].Should().Be("n1");
        path[^1].Should().Be("n0");
    }

    [Fact]
    public void A_random_dag_of_10000_components_and_50000_edges_starts_everything_after_its_dependencies()
    {
        const int count = 10_000;
        const int edgeCount = 50_000;
        var random = new Random(20250430);
        var dependencies = new HashSet<int>[count];
        for (var i = 0; i < count; i++)
        {
            dependencies[i] = [];
        }

        var edges = 0;
        while (edges < edgeCount)
        {
            var from = random.Next(1, count);
            if (dependencies[from].Add(random.Next(0, from)))
            {
                edges++;
            }
        }

        var nodes = new DependencyNode[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = new DependencyNode($"c{i}", [.. dependencies[i].Select(d => $"c{d}")]);
        }

        var analysis = DependencyGraph.Analyze(nodes);

        analysis.Cycles.Should().BeEmpty();
        analysis.Missing.Should().BeEmpty();
        analysis.StartupOrder.Should().HaveCount(count).And.OnlyHaveUniqueItems();
        var position = new Dictionary<string, int>(count);
        for (var i = 0; i < analysis.StartupOrder.Count; i++)
        {
            position[analysis.StartupOrder[i]] = i;
        }

        var violations = nodes
            .SelectMany(n => n.Dependencies.Where(d => position[d] > position[n.Id]).Select(d => $"{n.Id} before {d}"))
            .ToList();
        violations.Should().BeEmpty();
    }

    private static DependencyNode Node(string id, params string[] dependencies) => new(id, dependencies);
}
