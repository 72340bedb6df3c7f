using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Models;

namespace Tekton.Application.Models;

/// <summary>One entry of Ollama's <c>GET /api/tags</c>: the name, and the details that say what kind of model it is.</summary>
public sealed record OllamaTag(string Name, string? Family, IReadOnlyList<string> Families, string? ParameterSize);

/// <summary>Asks an Ollama server for its models; throws when it cannot be reached or answers nonsense.</summary>
public interface IOllamaClient
{
    Task<IReadOnlyList<OllamaTag>> ListAsync(Uri baseUrl, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Polls Ollama's tag list (design §9): on an answer its models are <c>available</c>; when Ollama does not answer,
/// the models it had are kept and marked <c>unavailable</c>, so routing moves on to others.
/// </summary>
public sealed partial class OllamaDiscovery(
    IOllamaClient client, ModelCatalog catalog, IOptions<OllamaOptions> options, TimeProvider clock, ILogger<OllamaDiscovery> logger)
    : BackgroundService
{
    private IReadOnlyList<Model> _known = [];
    private bool? _reachable;

    /// <summary>One poll; also called by tests.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var url = new Uri(settings.Url.TrimEnd('/') + "/");
        try
        {
            var tags = await client.ListAsync(url, TimeSpan.FromSeconds(settings.TimeoutSeconds), cancellationToken);
            _known = [.. tags.Select(t => ToModel(t, url, settings.ContextWindow)).Where(m => m is not null).DistinctBy(m => m!.Id).Select(m => m!)];
            catalog.SetDiscovered(_known);
            if (_reachable != true)
            {
                LogReachable(settings.Url, _known.Count);
            }

            _reachable = true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _known = [.. _known.Select(m => m with { Status = ModelStatus.Unavailable })];
            catalog.SetDiscovered(_known);
            if (_reachable != false)
            {
                LogUnreachable(settings.Url, exception.Message);
            }

            _reachable = false;
        }
    }

    /// <summary>
    /// A tag as a model: the name without <c>:latest</c>; embedding models (an embedding name or a BERT family)
    /// embed, others generate text and chat, and code models also generate code; the tier follows the parameter
    /// count (under 4 B: 1, under 40 B: 2, else 3; unknown: 2).
    /// </summary>
    public static Model? ToModel(OllamaTag tag, Uri baseUrl, long contextWindow)
    {
        var id = tag.Name.EndsWith(":latest", StringComparison.Ordinal) ? tag.Name[..^":latest".Length] : tag.Name;
        if (!Wire.ModelId().IsMatch(id))
        {
            return null;
        }

        var families = tag.Families.Append(tag.Family ?? string.Empty).ToList();
        var lower = id.ToLowerInvariant();
        List<string> capabilities;
        if (lower.Contains("embed", StringComparison.Ordinal) || families.Any(f => f.Contains("bert", StringComparison.OrdinalIgnoreCase)))
        {
            capabilities = ["text_embedding"];
        }
        else
        {
            capabilities = ["chat", "text_generation"];
            if (lower.Contains("code", StringComparison.Ordinal) || lower.Contains("coder", StringComparison.Ordinal))
            {
                capabilities.Add("code_generation");
            }

            if (lower.Contains("llava", StringComparison.Ordinal) || lower.Contains("vision", StringComparison.Ordinal) || families.Contains("clip"))
            {
                capabilities.Add("vision");
            }
        }

        return new Model
        {
            Id = id,
            Provider = "ollama",
            Capabilities = capabilities,
            Tier = Tier(tag.ParameterSize),
            ContextWindow = contextWindow,
            Status = ModelStatus.Available,
            Endpoint = new Uri(baseUrl, "api/generate").ToString(),
            Source = ModelSource.Ollama,
        };
    }

    /// <summary>"8.0B" → 2, "70.6B" → 3, "137M" → 1; unknown → 2.</summary>
    public static int Tier(string? parameterSize)
    {
        if (parameterSize is not { Length: > 1 } size
            || !double.TryParse(size[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return 2;
        }

        var billions = char.ToUpperInvariant(size[^1]) switch
        {
            'K' => number / 1_000_000,
            'M' => number / 1_000,
            'B' => number,
            'T' => number * 1_000,
            _ => double.NaN,
        };
        return double.IsNaN(billions) ? 2 : billions < 4 ? 1 : billions < 40 ? 2 : 3;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            await Task.Yield();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollIntervalSeconds), clock);
            do
            {
                await PollAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ollama at {Url} answers: {Count} models")]
    private partial void LogReachable(string url, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ollama at {Url} does not answer ({Reason}); its models are unavailable")]
    private partial void LogUnreachable(string url, string reason);
}

/// <summary>Loads the models stored through the API into the catalog at boot.</summary>
public sealed class ModelBoot(ModelStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
