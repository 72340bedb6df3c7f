using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Support;

/// <summary>A real WebSocket client of one of Tekton's event channels, reading with timeouts.</summary>
public sealed class EventSocket : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly byte[] _buffer = new byte[1024 * 1024];

    private EventSocket(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static Task<EventSocket> ConnectAsync(TektonServer server, string path, Action<ClientWebSocketOptions>? configure = null) =>
        ConnectAsync(server.BaseAddress, path, configure);

    public static async Task<EventSocket> ConnectAsync(Uri baseAddress, string path, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        var uri = new UriBuilder(baseAddress) { Scheme = "ws", Path = path }.Uri;
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new EventSocket(socket);
    }

    /// <summary>Wraps a socket the test connected itself (e.g. to read the handshake's status).</summary>
    public static EventSocket Wrap(ClientWebSocket socket) => new(socket);

    public async Task SendAsync(string json)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next message, or null when the server closed the connection.</summary>
    public async Task<JsonObject?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await Socket.ReceiveAsync(_buffer.AsMemory(count), cancel.Token);
            count += result.Count;
        }
        while (!result.EndOfMessage);

        return result.MessageType == WebSocketMessageType.Close ? null : JsonNode.Parse(_buffer.AsSpan(0, count))!.AsObject();
    }

    /// <summary>Reads until a message with this <c>event</c>, returning it; fails on close or timeout.</summary>
    public async Task<JsonObject> ExpectAsync(string eventName, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var message = await ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1))
                ?? throw new InvalidOperationException($"The server closed the socket while waiting for '{eventName}'.");
            if (message["event"]?.GetValue<string>() == eventName)
            {
                return message;
            }
        }
    }

    /// <summary>Reads messages until <paramref name="count"/> with this <c>event</c> arrived, returning them in order.</summary>
    public async Task<List<JsonObject>> CollectAsync(string eventName, int count, TimeSpan? timeout = null)
    {
        var collected = new List<JsonObject>(count);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (collected.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            var message = await ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1))
                ?? throw new InvalidOperationException($"The server closed the socket after {collected.Count} of {count} '{eventName}'.");
            if (message["event"]?.GetValue<string>() == eventName)
            {
                collected.Add(message);
            }
        }

        return collected;
    }

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public static string Json(object value) => JsonSerializer.Serialize(value);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // Closing is best effort.
        }

        Socket.Dispose();
    }
}
