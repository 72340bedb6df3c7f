using System.Text.Json;
using Tekton.Application.Models;

namespace Tekton.Infrastructure.Models;

/// <summary>Ollama's documented <c>GET /api/tags</c>: <c>{"models": [{"name", "details": {"family", "families", "parameter_size"}}]}</c>.</summary>
internal sealed class OllamaClient(IHttpClientFactory clients) : IOllamaClient
{
    public const string ClientName = "ollama";

    public async Task<IReadOnlyList<OllamaTag>> ListAsync(Uri baseUrl, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var http = clients.CreateClient(ClientName);
        try
        {
            using var response = await http.GetAsync(new Uri(baseUrl, "api/tags"), deadline.Token);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: deadline.Token);
            return Parse(document.RootElement);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Ollama did not answer within {timeout.TotalSeconds} s.");
        }
    }

    public static IReadOnlyList<OllamaTag> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("The answer has no 'models' array.");
        }

        var tags = new List<OllamaTag>();
        foreach (var model in models.EnumerateArray())
        {
            if (model.ValueKind != JsonValueKind.Object || !model.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var details = model.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            tags.Add(new OllamaTag(
                name.GetString()!,
                Text(details, "family"),
                details.ValueKind == JsonValueKind.Object && details.TryGetProperty("families", out var f) && f.ValueKind == JsonValueKind.Array
                    ? [.. f.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
                    : [],
                Text(details, "parameter_size")));
        }

        return tags;
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
