using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tekton.Client;

/// <summary>
/// The .NET client of the Tekton API: every endpoint with typed models, heartbeats, and live event
/// subscriptions. Thread-safe; create one per Tekton and share it.
/// </summary>
/// <example>
/// <code>
/// using var client = new TektonClient("localhost", 8010);
/// var (success, uuid) = await client.RegisterComponentAsync(new ComponentRegistration("my_component", "My Component", "service", "1.0.0"));
/// var status = await client.GetComponentStatusAsync("engram");
/// </code>
/// </example>
public sealed partial class TektonClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>A client for <c>http://{host}:{port}</c>; <paramref name="apiKey"/> defaults to <c>TEKTON_API_KEY</c>.</summary>
    public TektonClient(string host = "localhost", int port = 8010, string? apiKey = null)
        : this(new UriBuilder(Uri.UriSchemeHttp, host, port).Uri, apiKey)
    {
    }

    /// <summary>A client for <paramref name="baseAddress"/>; <paramref name="apiKey"/> defaults to <c>TEKTON_API_KEY</c>.</summary>
    public TektonClient(Uri baseAddress, string? apiKey = null)
        : this(WithAddress(baseAddress, apiKey))
    {
    }

    /// <summary>A client configured by <paramref name="options"/>.</summary>
    public TektonClient(TektonClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        BaseAddress = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        ApiKey = options.ApiKey;
        _ownsHttp = options.HttpClient is null;
        // Each attempt has its own timeout (RequestTimeout); a caller's HttpClient keeps its own Timeout as an outer bound.
        _http = options.HttpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Tekton's base address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The API key or token this client sends, if any.</summary>
    public string? ApiKey { get; }

    /// <summary>The options this client was created with.</summary>
    public TektonClientOptions Options { get; }

    /// <summary>A client for <c>TEKTON_URL</c> (else <c>http://localhost:8010</c>) with <c>TEKTON_API_KEY</c>.</summary>
    public static TektonClient FromEnvironment() => new(new TektonClientOptions());

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static TektonClientOptions WithAddress(Uri baseAddress, string? apiKey)
    {
        var options = new TektonClientOptions { BaseAddress = baseAddress };
        if (apiKey is not null)
        {
            options.ApiKey = apiKey;
        }

        return options;
    }

    internal static string Segment(string value) => Uri.EscapeDataString(value);

    internal static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? string.Empty : "?" + string.Join('&', given);
    }

    private Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new Call(HttpMethod.Get, path), cancellationToken);

    private async Task<T> SendAsync<T>(Call call, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(call, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var value = await response.Content.ReadFromJsonAsync<T>(TektonJson.Options, cancellationToken).ConfigureAwait(false);
        return value ?? throw new TektonApiException(response.StatusCode, 1000, $"Tekton answered {(int)response.StatusCode} with an empty body.");
    }

    /// <summary>
    /// Sends <paramref name="call"/>, retrying it when it is idempotent and the failure is transient. Returns a
    /// successful response (the caller disposes it) or throws <see cref="TektonApiException"/>,
    /// <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>.
    /// </summary>
    private async Task<HttpResponseMessage> SendRawAsync(Call call, CancellationToken cancellationToken)
    {
        var retry = Options.Retry;
        var attempts = call.Idempotent ? Math.Max(1, retry.MaxAttempts) : 1;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.RequestTimeout + call.ExtraTime);
            try
            {
                using var request = call.ToRequest(BaseAddress, ApiKey);
                var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                using (response)
                {
                    var error = await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
                    if (attempt >= attempts || !IsTransient(error))
                    {
                        throw error;
                    }

                    if (error.RetryAfter is { } asked && asked > retry.MaxRetryAfter)
                    {
                        throw error;
                    }

                    retryAfter = error.RetryAfter;
                }
            }
            catch (HttpRequestException) when (attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt >= attempts)
                {
                    throw new TimeoutException($"Tekton did not answer {call.Method} /{call.Path} within {(Options.RequestTimeout + call.ExtraTime).TotalSeconds:0.#} s.");
                }
            }

            await Task.Delay(retry.DelayBefore(attempt, retryAfter), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsTransient(TektonApiException error) => error.StatusCode switch
    {
        HttpStatusCode.TooManyRequests => true,
        HttpStatusCode.BadGateway => true,
        HttpStatusCode.ServiceUnavailable => error.Code != 1010,
        HttpStatusCode.GatewayTimeout => error.Code != 1006,
        _ => false,
    };

    internal static async Task<TektonApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonElement? problem = null;
        try
        {
            if (text.Length > 0)
            {
                using var document = JsonDocument.Parse(text);
                problem = document.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
        }

        var code = problem is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("code", out var c) && c.TryGetInt32(out var number) ? number : 1000;
        var detail = problem is { ValueKind: JsonValueKind.Object } q
            ? (q.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null)
              ?? (q.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null)
            : null;
        var message = $"Tekton answered {(int)response.StatusCode} (code {code}): {detail ?? (text.Length > 0 ? text : response.ReasonPhrase)}";
        return new TektonApiException(response.StatusCode, code, message, problem, retryAfter);
    }

    /// <summary>One HTTP call, rebuilt for each attempt.</summary>
    private sealed record Call(HttpMethod Method, string Path, object? Body = null, bool Idempotent = true)
    {
        public TimeSpan ExtraTime { get; init; }

        public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

        public HttpRequestMessage ToRequest(Uri baseAddress, string? apiKey)
        {
            var request = new HttpRequestMessage(Method, new Uri(baseAddress, Path));
            if (apiKey is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }

            foreach (var (name, value) in Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (Body is not null)
            {
                request.Content = JsonContent.Create(Body, Body.GetType(), options: TektonJson.Options);
            }

            return request;
        }
    }
}
