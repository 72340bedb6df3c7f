using System.Diagnostics;
using System.Globalization;
using Tekton.Domain.Models;

namespace Tekton.Benchmarks;

/// <summary>
/// The routing decision in process (<see cref="Router.Route"/> over MODELS models); for the HTTP measurement the same
/// models are added through the API by
/// <see cref="SeedBenchmark"/>.
/// </summary>
public static class RouteBenchmark
{
    private static readonly string[] Capabilities = ["text_generation", "code_generation", "text_embedding", "summarization", "reasoning", "chat", "vision", "translation"];
    private static readonly string[] Providers = ["anthropic", "openai", "ollama", "vllm", "mistral"];

    /// <summary>A fixed, varied catalog: every tier, several providers, some priorities and costs, one in five unavailable.</summary>
    public static List<Model> Catalog(int count)
    {
        var random = new Random(20261124);
        return [.. Enumerable.Range(0, count).Select(i => new Model
        {
            Id = $"model-{i:D4}",
            Provider = Providers[i % Providers.Length],
            Capabilities = [.. Capabilities.Where(_ => random.Next(3) > 0).DefaultIfEmpty("text_generation")],
            Tier = 1 + (i % 3),
            ContextWindow = 4096L << random.Next(7),
            Status = i % 5 == 4 ? ModelStatus.Unavailable : ModelStatus.Available,
            Priority = random.Next(4) == 0 ? random.Next(10) : null,
            CostPer1kTokens = random.Next(3) == 0 ? Math.Round(random.NextDouble(), 3) : null,
        })];
    }

    private static readonly RouteQuery[] Queries =
    [
        new("code_generation", Complexity.High, 16_000, ["reasoning"], 2, true),
        new("text_generation", Complexity.Medium, 4_000, [], null, true),
        new("summarization", Complexity.Low, 100_000, [], null, false),
    ];

    public static int RunInProcess(int models, int iterations)
    {
        var catalog = Catalog(models);
        for (var i = 0; i < 20_000; i++)
        {
            Router.Route(catalog, Queries[i % Queries.Length]);
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            Router.Route(catalog, Queries[i % Queries.Length]);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        var sorted = samples.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"route","models":{{models}},"iterations":{{iterations}},"p50_us":{{GraphBenchmark.Percentile(sorted, 0.5):F2}},"p99_us":{{GraphBenchmark.Percentile(sorted, 0.99):F2}},"max_us":{{sorted[^1]:F2}}}"""));
        return 0;
    }

    /// <summary>The body of <c>POST /api/tekton/models</c> for one model of the catalog.</summary>
    public static string ModelBody(Model model) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"id":"{{model.Id}}","provider":"{{model.Provider}}","capabilities":[{{string.Join(",", model.Capabilities.Select(c => $"\"{c}\""))}}],"tier":{{model.Tier}},"context_window":{{model.ContextWindow}},"status":"{{(model.IsAvailable ? "available" : "unavailable")}}"{{(model.Priority is { } p ? $",\"priority\":{p}" : "")}}{{(model.CostPer1kTokens is { } c ? string.Create(CultureInfo.InvariantCulture, $",\"cost_per_1k_tokens\":{c}") : "")}}}""");
}
