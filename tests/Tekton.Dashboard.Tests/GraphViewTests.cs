using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Tekton.Dashboard.Tests;

/// <summary>The dependency graph of the reference's stack, drawn in startup layers, live, and clickable.</summary>
public sealed class GraphViewTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task The_reference_stack_is_drawn_with_its_edges_in_startup_layers()
    {
        var instances = await ReferenceStack.RegisterAsync(fixture.Server);

        await using var session = await fixture.OpenAsync("/#/graph");
        var page = session.Page;
        var graph = page.GetByTestId("dependency-graph");
        await Expect(graph.Locator("[data-node]")).ToHaveCountAsync(6);

        // One edge per dependency, from the dependency to the component that needs it: exactly the reference's.
        var edges = await graph.Locator("path.edge").EvaluateAllAsync<string[]>("paths => paths.map(p => p.dataset.from + '->' + p.dataset.to)");
        var expected = ReferenceStack.Dependencies.SelectMany(c => c.Value.Select(d => $"{d}->{c.Key}"));
        edges.Should().BeEquivalentTo(expected);
        (await graph.Locator("path.edge.cycle").CountAsync()).Should().Be(0);

        // Layers from left to right in startup order: each component right of everything it depends on, and
        // components of one level in one column.
        var left = new Dictionary<string, double>();
        foreach (var (id, level) in ReferenceStack.Levels)
        {
            var node = graph.Locator($"[data-node='{id}']");
            await Expect(node).ToHaveAttributeAsync("data-level", level.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(node).ToHaveAttributeAsync("data-state", "registered");
            left[id] = (await node.Locator("rect").BoundingBoxAsync())!.X;
        }

        foreach (var (id, dependencies) in ReferenceStack.Dependencies)
        {
            foreach (var dependency in dependencies)
            {
                left[id].Should().BeGreaterThan(left[dependency], $"{id} starts after {dependency}");
            }
        }

        left["rhetor"].Should().BeApproximately(left["athena"], 0.5);
        left["ergon"].Should().BeApproximately(left["api_gateway"], 0.5);
        var order = (await fixture.Server.GetObjectAsync("/api/tekton/dependencies"))["startup_order"]!.AsArray().Select(n => n!.GetValue<string>());
        await Expect(page.GetByTestId("startup-order").Locator("li")).ToHaveTextAsync(order.ToArray());

        // Colored by state, live.
        await fixture.Server.ChangeStateAsync("hermes", instances["hermes"], "initializing");
        await fixture.Server.ChangeStateAsync("hermes", instances["hermes"], "ready");
        await Expect(graph.Locator("[data-node='hermes']")).ToHaveAttributeAsync("data-state", "ready", new() { Timeout = 2_000 });
        await Expect(graph.Locator("[data-node='hermes'] rect")).ToHaveClassAsync(new Regex(@"\bstate-ready\b"));

        // A node opens its component.
        await graph.Locator("[data-node='rhetor']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/components/rhetor$"));
        await Expect(page.Locator("[data-view=detail] h1")).ToContainTextAsync("rhetor");
        session.AssertNoConsoleErrors();
    }
}

/// <summary>Cycles and missing dependencies are shown as problems (a server of its own, so the stack test sees only the stack).</summary>
public sealed class GraphProblemTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Cycles_and_missing_dependencies_are_highlighted()
    {
        await fixture.Server.RegisterComponentAsync("cycle-a", ["cycle-b"]);
        await fixture.Server.RegisterComponentAsync("cycle-b", ["cycle-a"]);
        await fixture.Server.RegisterComponentAsync("needs-ghost", ["ghost"]);

        await using var session = await fixture.OpenAsync("/#/graph");
        var page = session.Page;
        var graph = page.GetByTestId("dependency-graph");

        await Expect(page.GetByTestId("cycles")).ToContainTextAsync("cycle-a");
        await Expect(page.GetByTestId("cycles")).ToContainTextAsync("cycle-b");
        var cycleEdges = await graph.Locator("path.edge.cycle").EvaluateAllAsync<string[]>("paths => paths.map(p => p.dataset.from + '->' + p.dataset.to)");
        cycleEdges.Should().BeEquivalentTo(["cycle-a->cycle-b", "cycle-b->cycle-a"]);

        await Expect(page.GetByTestId("missing")).ToContainTextAsync("ghost");
        await Expect(graph.Locator("[data-node='ghost']")).ToHaveAttributeAsync("data-state", "missing");
        await Expect(graph.Locator("[data-node='ghost'] rect")).ToHaveClassAsync(new Regex(@"\bstate-missing\b"));
        (await graph.Locator("path.edge[data-from='ghost'][data-to='needs-ghost']").CountAsync()).Should().Be(1);

        // Registering the missing dependency clears the warning without a reload.
        await fixture.Server.RegisterComponentAsync("ghost");
        await Expect(page.GetByTestId("missing")).ToHaveCountAsync(0, new() { Timeout = 2_000 });
        await Expect(graph.Locator("[data-node='ghost']")).ToHaveAttributeAsync("data-state", "registered");
        session.AssertNoConsoleErrors();
    }
}
