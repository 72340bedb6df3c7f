using Tekton.Domain.Errors;
using Tekton.Domain.Models;

namespace Tekton.Domain.Tests.Models;

/// <summary>The routing rules of design §9, one case per row.</summary>
public sealed class RouterTests
{
    /// <summary>A catalog with every kind of tie: tiers 1-3, two providers per tier, priorities, costs, windows.</summary>
    private static readonly Model[] Catalog =
    [
        M("claude-3-sonnet", "anthropic", 3, 200_000, ["text_generation", "code_generation", "summarization"]),
        M("gpt-4-turbo", "openai", 3, 128_000, ["text_generation", "code_generation", "text_embedding"]),
        M("llama3", "ollama", 2, 8_000, ["text_generation", "code_generation"]),
        M("mistral", "ollama", 2, 32_000, ["text_generation"]),
        M("phi3", "ollama", 1, 4_000, ["text_generation"]),
        M("embedder", "ollama", 1, 512, ["text_embedding"]),
    ];

    public static TheoryData<string, Model[], RouteQuery, string, string[]> Cases => new()
    {
        // name, catalog, query, selected, fallbacks
        { "high complexity picks tier 3; larger window breaks the tie", Catalog, Q("text_generation", Complexity.High), "claude-3-sonnet", ["gpt-4-turbo", "mistral", "llama3"] },
        { "medium picks tier 2 before tier 3; larger window first", Catalog, Q("text_generation", Complexity.Medium), "mistral", ["claude-3-sonnet", "llama3", "gpt-4-turbo"] },
        { "low picks tier 1", Catalog, Q("text_generation", Complexity.Low), "phi3", ["claude-3-sonnet", "mistral", "llama3"] },
        { "required capability filters", Catalog, Q("code_generation", Complexity.Medium), "llama3", ["claude-3-sonnet", "gpt-4-turbo"] },
        { "requirements.capabilities are added to task_type", Catalog, Q("text_generation", Complexity.Low, capabilities: ["summarization"]), "claude-3-sonnet", [] },
        { "context window filters", Catalog, Q("text_generation", Complexity.Medium, context: 100_000), "claude-3-sonnet", ["gpt-4-turbo"] },
        { "context window equal to the length passes", Catalog, Q("text_generation", Complexity.Low, context: 4_000), "phi3", ["claude-3-sonnet", "mistral", "llama3"] },
        { "min_tier raises the target above the complexity", Catalog, Q("text_generation", Complexity.Low, minTier: 2), "mistral", ["claude-3-sonnet", "llama3", "gpt-4-turbo"] },
        { "min_tier filters lower tiers out of the fallbacks", Catalog, Q("text_generation", Complexity.Low, minTier: 3), "claude-3-sonnet", ["gpt-4-turbo"] },
        { "an unavailable model is skipped; a lower tier is chosen with fallback", With(Catalog, "claude-3-sonnet", "gpt-4-turbo"), Q("code_generation", Complexity.High), "llama3", [] },
        { "priority breaks a tier tie (lower first)", With(Catalog, priorities: [("gpt-4-turbo", 1), ("claude-3-sonnet", 5)]), Q("text_generation", Complexity.High), "gpt-4-turbo", ["claude-3-sonnet", "mistral", "llama3"] },
        { "a model with a priority comes before one without", With(Catalog, priorities: [("llama3", 100)]), Q("text_generation", Complexity.Medium), "llama3", ["claude-3-sonnet", "mistral", "gpt-4-turbo"] },
        { "cost breaks a priority tie (cheaper first)", With(Catalog, costs: [("gpt-4-turbo", 0.01), ("claude-3-sonnet", 0.015)]), Q("text_generation", Complexity.High), "gpt-4-turbo", ["claude-3-sonnet", "mistral", "llama3"] },
        { "a known cost comes before an unknown one", With(Catalog, costs: [("llama3", 5)]), Q("text_generation", Complexity.Medium), "llama3", ["claude-3-sonnet", "mistral", "gpt-4-turbo"] },
        { "id breaks the last tie", [M("b-model", "x", 2, 1000, ["t"]), M("a-model", "y", 2, 1000, ["t"])], Q("t", Complexity.Medium), "a-model", ["b-model"] },
        { "fallbacks put the first other provider in front", [M("a1", "p", 2, 1, ["t"]), M("a2", "p", 2, 1, ["t"]), M("a3", "p", 2, 1, ["t"]), M("b1", "q", 2, 1, ["t"])], Q("t", Complexity.Medium), "a1", ["b1", "a2", "a3"] },
        { "fallbacks are at most three", [M("a", "p", 2, 1, ["t"]), M("b", "p", 2, 1, ["t"]), M("c", "p", 2, 1, ["t"]), M("d", "p", 2, 1, ["t"]), M("e", "p", 2, 1, ["t"])], Q("t", Complexity.Medium), "a", ["b", "c", "d"] },
        { "fallback false lists no fallbacks", Catalog, Q("text_generation", Complexity.High, fallback: false), "claude-3-sonnet", [] },
        { "fallback false never downgrades below the complexity tier", With(Catalog, "claude-3-sonnet"), Q("text_generation", Complexity.High, fallback: false), "gpt-4-turbo", [] },
        { "a tier above the target is preferred to one below it", [M("small", "p", 1, 1, ["t"]), M("big", "q", 3, 1, ["t"])], Q("t", Complexity.Medium), "big", ["small"] },
        { "repeated capabilities count once", Catalog, Q("code_generation", Complexity.Medium, capabilities: ["code_generation"]), "llama3", ["claude-3-sonnet", "gpt-4-turbo"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Routes(string name, Model[] catalog, RouteQuery query, string selected, string[] fallbacks)
    {
        var decision = Router.Route(catalog, query);

        decision.Selected.Id.Should().Be(selected, name);
        decision.Fallbacks.Select(m => m.Id).Should().Equal(fallbacks, name);
    }

    [Fact]
    public void The_decision_does_not_depend_on_the_order_of_the_catalog()
    {
        var query = Q("text_generation", Complexity.Medium);
        var expected = Router.Route(Catalog, query);

        for (var seed = 0; seed < 20; seed++)
        {
            var shuffled = Catalog.OrderBy(_ => Random.Shared.Next()).ToArray();
            var decision = Router.Route(shuffled, query);
            decision.Selected.Id.Should().Be(expected.Selected.Id);
            decision.Fallbacks.Select(m => m.Id).Should().Equal(expected.Fallbacks.Select(m => m.Id));
        }
    }

    [Fact]
    public void Selection_criteria_are_computed_from_the_selected_model()
    {
        Router.Route(Catalog, Q("code_generation", Complexity.High)).Criteria.Should().Be(new SelectionCriteria(true, true, true, true));

        var downgraded = Router.Route(With(Catalog, "claude-3-sonnet", "gpt-4-turbo"), Q("code_generation", Complexity.High));
        downgraded.Criteria.ComplexityMatch.Should().BeFalse("llama3 is tier 2 and the task is high");
        downgraded.Criteria.TierMatch.Should().BeTrue();
    }

    [Fact]
    public void Nothing_that_can_ever_match_is_1009_listing_what_each_constraint_ruled_out()
    {
        var act = () => Router.Route(Catalog, Q("code_generation", Complexity.Low, context: 210_000, minTier: 2));

        var error = act.Should().Throw<TektonException>().Which;
        error.Code.Should().Be(ErrorCode.RouteNotFound);
        var ruled = ((RuledOut[])error.Details["ruled_out"]!).ToDictionary(r => r.Constraint, r => r.Models);
        ruled["capabilities"].Should().BeEquivalentTo(["mistral", "phi3", "embedder"]);
        ruled["context_window"].Should().HaveCount(Catalog.Length);
        ruled["min_tier"].Should().BeEquivalentTo(["phi3", "embedder"]);
        error.Message.Should().Contain("code_generation");
    }

    [Fact]
    public void Fallback_false_rules_out_lower_tiers_under_complexity()
    {
        var act = () => Router.Route([M("small", "p", 1, 1000, ["t"])], Q("t", Complexity.High, fallback: false));

        var error = act.Should().Throw<TektonException>().Which;
        error.Code.Should().Be(ErrorCode.RouteNotFound);
        ((RuledOut[])error.Details["ruled_out"]!).Single(r => r.Constraint == "complexity").Models.Should().Equal("small");
    }

    [Fact]
    public void Matches_that_are_all_unavailable_are_1010_naming_them()
    {
        var act = () => Router.Route(With(Catalog, "claude-3-sonnet"), Q("summarization", Complexity.Low));

        var error = act.Should().Throw<TektonException>().Which;
        error.Code.Should().Be(ErrorCode.ModelNotAvailable);
        ((string[])error.Details["unavailable"]!).Should().Equal("claude-3-sonnet");
    }

    [Fact]
    public void An_empty_catalog_is_1009()
    {
        var act = () => Router.Route([], Q("text_generation", Complexity.Medium));

        act.Should().Throw<TektonException>().Which.Code.Should().Be(ErrorCode.RouteNotFound);
    }

    private static Model M(string id, string provider, int tier, long window, string[] capabilities) =>
        new() { Id = id, Provider = provider, Tier = tier, ContextWindow = window, Capabilities = capabilities };

    private static RouteQuery Q(string task, Complexity complexity, long context = 0, string[]? capabilities = null, int? minTier = null, bool fallback = true) =>
        new(task, complexity, context, capabilities ?? [], minTier, fallback);

    private static Model[] With(
        Model[] catalog, string? unavailable = null, string? alsoUnavailable = null, (string Id, int Priority)[]? priorities = null, (string Id, double Cost)[]? costs = null) =>
        [.. catalog.Select(m => m with
        {
            Status = m.Id == unavailable || m.Id == alsoUnavailable ? ModelStatus.Unavailable : m.Status,
            Priority = priorities?.FirstOrDefault(p => p.Id == m.Id) is { Id: not null } p ? p.Priority : m.Priority,
            CostPer1kTokens = costs?.FirstOrDefault(c => c.Id == m.Id) is { Id: not null } c ? c.Cost : m.CostPer1kTokens,
        })];
}
