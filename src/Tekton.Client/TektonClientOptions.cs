namespace Tekton.Client;

/// <summary>How a <see cref="TektonClient"/> reaches Tekton and how hard it tries.</summary>
public sealed class TektonClientOptions
{
    /// <summary>The variable that holds Tekton's address (set for every process Tekton launches).</summary>
    public const string UrlVariable = "TEKTON_URL";

    /// <summary>The variable that holds the API key (set for processes Tekton launches when auth is on).</summary>
    public const string ApiKeyVariable = "TEKTON_API_KEY";

    /// <summary>Tekton's base address; default <c>TEKTON_URL</c>, else <c>http://localhost:8010</c>.</summary>
    public Uri BaseAddress { get; set; } = DefaultBaseAddress();

    /// <summary>An API key or a JWT, sent as <c>Authorization: Bearer</c>; default <c>TEKTON_API_KEY</c>.</summary>
    public string? ApiKey { get; set; } = Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : null;

    /// <summary>How long one attempt of a request may take (default 30 s). Long polls and waited starts add their own wait.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of idempotent calls.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>
    /// An <see cref="HttpClient"/> to use instead of the client's own (its base address is ignored, and its
    /// <c>Timeout</c>, 100 s unless set, bounds every call, long polls and waited starts included).
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock for heartbeats, reporters and back-off.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The address from <c>TEKTON_URL</c>, else <c>http://localhost:8010</c>.</summary>
    public static Uri DefaultBaseAddress() =>
        Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri
            : new Uri("http://localhost:8010");
}

/// <summary>
/// Retries with full jitter: attempt <c>n</c> waits a random time up to <c>min(MaxDelay, BaseDelay × 2ⁿ)</c>, or
/// the server's <c>Retry-After</c> when it gives one no longer than <see cref="MaxRetryAfter"/>. Only calls that
/// are safe to repeat are retried, and only after a connection failure, a timeout, or a 429, 502, 503 or 504
/// that does not carry a definite answer (a model that is not available, a stop that timed out).
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Attempts in all, the first included (default 4; 1 turns retries off).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The first back-off ceiling (default 200 ms).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The largest back-off ceiling (default 5 s).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest <c>Retry-After</c> honoured; a longer one ends the retries (default 10 s).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan DelayBefore(int retry, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked && asked <= MaxRetryAfter)
        {
            return asked;
        }

        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, retry - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
