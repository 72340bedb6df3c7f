using Tekton.Domain.Errors;

namespace Tekton.Domain.Models;

/// <summary>How hard a task is; its tier is the number (low 1, medium 2, high 3).</summary>
public enum Complexity
{
    Low = 1,
    Medium = 2,
    High = 3,
}

/// <summary>A routing request with its defaults filled in (design §9).</summary>
public sealed record RouteQuery(string TaskType, Complexity Complexity, long ContextLength, IReadOnlyList<string> Capabilities, int? MinTier, bool Fallback)
{
    /// <summary>R = {task_type} ∪ requirements.capabilities, without repeats, in the order given.</summary>
    public IReadOnlyList<string> RequiredCapabilities { get; } = [.. new[] { TaskType }.Concat(Capabilities).Distinct(StringComparer.Ordinal)];

    /// <summary>T = max(complexity tier, min_tier).</summary>
    public int TargetTier => Math.Max((int)Complexity, MinTier ?? Model.MinTier);
}

/// <summary>Why the selected model fits (the reference's <c>selection_criteria</c>), computed from that model.</summary>
public sealed record SelectionCriteria(bool ComplexityMatch, bool ContextWindowSufficient, bool CapabilityMatch, bool TierMatch);

/// <summary>The chosen model, why, and (when fallback was asked for) up to three alternatives in order.</summary>
public sealed record RouteDecision(Model Selected, SelectionCriteria Criteria, IReadOnlyList<Model> Fallbacks);

/// <summary>One hard filter and the models it ruled out.</summary>
public sealed record RuledOut(string Constraint, string Requirement, IReadOnlyList<string> Models);

/// <summary>
/// The routing algorithm of design §9, deterministic: the same catalog and request always give the same answer.
/// Hard filters: every required capability, context_window ≥ context_length, tier ≥ min_tier, and, without
/// fallback, tier ≥ the complexity's tier. Nothing passes → 1009; only unavailable models pass → 1010. The
/// available ones are ordered: tier ≥ T first, then |tier − T|, priority, cost (unknown last), larger context
/// window, id.
/// </summary>
public static class Router
{
    public const int MaxFallbacks = 3;

    /// <summary>One comparer per target tier, so a decision allocates no comparison closure.</summary>
    private static readonly IComparer<Model>[] Comparers = [.. Enumerable.Range(0, Model.MaxTier + 1).Select(t => new ByPreference(t))];

    /// <summary>A candidate list per thread, reused: a decision allocates only its answer.</summary>
    [ThreadStatic]
    private static List<Model>? _candidates;

    public static RouteDecision Route(IReadOnlyList<Model> catalog, RouteQuery query)
    {
        var required = query.RequiredCapabilities;
        var complexityTier = (int)query.Complexity;
        var minTier = query.MinTier ?? Model.MinTier;
        var target = query.TargetTier;
        var candidates = _candidates ??= new List<Model>(128);
        candidates.Clear();
        var unavailable = 0;
        foreach (var model in catalog)
        {
            if (Passes(model, required, query, minTier, complexityTier))
            {
                if (model.IsAvailable)
                {
                    candidates.Add(model);
                }
                else
                {
                    unavailable++;
                }
            }
        }

        if (candidates.Count == 0)
        {
            throw unavailable == 0 ? NotFound(catalog, query) : NotAvailable(catalog, query);
        }

        candidates.Sort(Comparers[target]);
        var selected = candidates[0];
        var criteria = new SelectionCriteria(
            ComplexityMatch: selected.Tier >= complexityTier,
            ContextWindowSufficient: selected.ContextWindow >= query.ContextLength,
            CapabilityMatch: HasAll(selected, required),
            TierMatch: selected.Tier >= minTier);
        var fallbacks = query.Fallback ? Fallbacks(candidates) : [];
        candidates.Clear();
        return new RouteDecision(selected, criteria, fallbacks);
    }

    /// <summary>The order of design §9, as a comparison relative to the target tier.</summary>
    public static int Compare(Model a, Model b, int target)
    {
        var c = (a.Tier >= target ? 0 : 1).CompareTo(b.Tier >= target ? 0 : 1);
        if (c != 0)
        {
            return c;
        }

        c = Math.Abs(a.Tier - target).CompareTo(Math.Abs(b.Tier - target));
        if (c != 0)
        {
            return c;
        }

        // Unknown priority and unknown cost sort after every known one (false < true).
        c = (a.Priority is null).CompareTo(b.Priority is null);
        if (c == 0)
        {
            c = (a.Priority ?? 0).CompareTo(b.Priority ?? 0);
        }

        if (c != 0)
        {
            return c;
        }

        c = (a.CostPer1kTokens is null).CompareTo(b.CostPer1kTokens is null);
        if (c == 0)
        {
            c = (a.CostPer1kTokens ?? 0).CompareTo(b.CostPer1kTokens ?? 0);
        }

        if (c != 0)
        {
            return c;
        }

        c = b.ContextWindow.CompareTo(a.ContextWindow);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    }

    private static bool Passes(Model model, IReadOnlyList<string> required, RouteQuery query, int minTier, int complexityTier) =>
        model.ContextWindow >= query.ContextLength && model.Tier >= minTier && (query.Fallback || model.Tier >= complexityTier) && HasAll(model, required);

    private static bool HasAll(Model model, IReadOnlyList<string> required)
    {
        for (var i = 0; i < required.Count; i++)
        {
            if (!model.Has(required[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The rest in order, with the first model of another provider than the selected one moved to the front; at most three.</summary>
    private static Model[] Fallbacks(List<Model> ordered)
    {
        var count = Math.Min(MaxFallbacks, ordered.Count - 1);
        if (count <= 0)
        {
            return [];
        }

        var provider = ordered[0].Provider;
        var other = -1;
        for (var i = 1; i < ordered.Count; i++)
        {
            if (!string.Equals(ordered[i].Provider, provider, StringComparison.Ordinal))
            {
                other = i;
                break;
            }
        }

        var fallbacks = new Model[count];
        var next = 0;
        if (other > 0)
        {
            fallbacks[next++] = ordered[other];
        }

        for (var i = 1; i < ordered.Count && next < count; i++)
        {
            if (i != other)
            {
                fallbacks[next++] = ordered[i];
            }
        }

        return fallbacks;
    }

    private sealed class ByPreference(int target) : IComparer<Model>
    {
        public int Compare(Model? x, Model? y) => Router.Compare(x!, y!, target);
    }

    /// <summary>Each hard filter and the models it rules out (a model may appear under several).</summary>
    public static IReadOnlyList<RuledOut> Explain(IReadOnlyList<Model> catalog, RouteQuery query)
    {
        var minTier = query.MinTier ?? Model.MinTier;
        var complexityTier = (int)query.Complexity;
        var ruled = new List<RuledOut>
        {
            new("capabilities", $"all of [{string.Join(", ", query.RequiredCapabilities)}]",
                [.. catalog.Where(m => !query.RequiredCapabilities.All(m.Has)).Select(m => m.Id)]),
            new("context_window", $"at least {query.ContextLength} tokens", [.. catalog.Where(m => m.ContextWindow < query.ContextLength).Select(m => m.Id)]),
            new("min_tier", $"tier at least {minTier}", [.. catalog.Where(m => m.Tier < minTier).Select(m => m.Id)]),
        };
        if (!query.Fallback)
        {
            ruled.Add(new("complexity", $"tier at least {complexityTier} ({query.Complexity.ToString().ToLowerInvariant()} complexity, fallback false)",
                [.. catalog.Where(m => m.Tier < complexityTier).Select(m => m.Id)]));
        }

        return ruled;
    }

    private static TektonException NotFound(IReadOnlyList<Model> catalog, RouteQuery query)
    {
        var ruled = Explain(catalog, query);
        var why = catalog.Count == 0
            ? "the catalog has no models"
            : string.Join("; ", ruled.Where(r => r.Models.Count > 0).Select(r => $"{r.Constraint} ({r.Requirement}) rules out {r.Models.Count}"));
        return new TektonException(ErrorCode.RouteNotFound,
            $"No model can serve task '{query.TaskType}': {why}.",
            new Dictionary<string, object?> { ["ruled_out"] = ruled.ToArray(), ["unavailable"] = Array.Empty<string>() });
    }

    private static TektonException NotAvailable(IReadOnlyList<Model> catalog, RouteQuery query)
    {
        var minTier = query.MinTier ?? Model.MinTier;
        var complexityTier = (int)query.Complexity;
        string[] waiting = [.. catalog.Where(m => !m.IsAvailable && Passes(m, query.RequiredCapabilities, query, minTier, complexityTier)).Select(m => m.Id)];
        return new TektonException(ErrorCode.ModelNotAvailable,
            $"Models can serve task '{query.TaskType}' but none is available now: {string.Join(", ", waiting)}.",
            new Dictionary<string, object?> { ["ruled_out"] = Explain(catalog, query).ToArray(), ["unavailable"] = waiting });
    }
}
