namespace Tekton.Application.Models;

/// <summary>The <c>Tekton:Ollama</c> section: discovery of the models of a local Ollama server.</summary>
public sealed class OllamaOptions
{
    public const string Section = "Tekton:Ollama";

    public bool Enabled { get; set; } = true;

    public string Url { get; set; } = "http://localhost:11434";

    public double PollIntervalSeconds { get; set; } = 30;

    public double TimeoutSeconds { get; set; } = 2;

    /// <summary>The context window given to discovered models (Ollama's tag list does not say).</summary>
    public long ContextWindow { get; set; } = 8192;
}

/// <summary>The <c>Tekton:Routing</c> section.</summary>
public sealed class RoutingOptions
{
    public const string Section = "Tekton:Routing";

    /// <summary>The <c>Retry-After</c> of a 1010 answer: when the catalog may next have changed.</summary>
    public int RetryAfterSeconds { get; set; } = 30;
}
