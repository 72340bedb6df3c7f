using System.Buffers;
using System.Net;
using System.Text.Json;
using Tekton.Application.Lifecycle;

namespace Tekton.Infrastructure.Health;

/// <summary>
/// <c>GET http://{host}:{port}{path}</c> with a hard timeout of its own, so a target that hangs never holds up
/// another check. A JSON object in the answer gives the fields of <c>health_status</c>.
/// </summary>
internal sealed class HttpHealthProbe(IHttpClientFactory clients) : IHealthProbe
{
    public const string ClientName = "tekton-health";
    private const int MaxBody = 64 * 1024;

    public async Task<HealthProbeResult> ProbeAsync(string host, int port, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var authority = IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (!Uri.TryCreate($"http://{authority}:{port}{path}", UriKind.Absolute, out var uri))
        {
            return new HealthProbeResult(false, new Dictionary<string, string>(), "not a valid URL");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var fields = await ReadFieldsAsync(response, deadline.Token);
            return new HealthProbeResult(response.IsSuccessStatusCode, fields, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HealthProbeResult(false, new Dictionary<string, string>(), exception is OperationCanceledException ? $"no answer within {timeout.TotalSeconds} s" : exception.Message);
        }
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadFieldsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true
            || response.Content.Headers.ContentLength > MaxBody)
        {
            return fields;
        }

        // A body without a length (chunked) is read up to the same limit and no further: one that goes on past it is
        // treated like one announced as larger, and the probe does not wait for (or keep) the rest.
        var body = ArrayPool<byte>.Shared.Rent(MaxBody + 1);
        try
        {
            var length = await ReadAtMostAsync(response, body.AsMemory(0, MaxBody + 1), cancellationToken);
            if (length > MaxBody)
            {
                return fields;
            }

            using var document = JsonDocument.Parse(body.AsMemory(0, length));
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject().Take(64))
                {
                    fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the status code alone decides.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        return fields;
    }

    /// <summary>Reads the body until it ends or <paramref name="buffer"/> is full; the count read.</summary>
    private static async Task<int> ReadAtMostAsync(HttpResponseMessage response, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer[length..], cancellationToken)) > 0)
        {
            length += read;
        }

        return length;
    }
}
