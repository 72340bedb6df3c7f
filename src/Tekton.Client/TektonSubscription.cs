using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tekton.Client;

/// <summary>How a subscription starts and what it tells its owner.</summary>
public sealed class SubscriptionOptions
{
    /// <summary>Replay the retained events after this sequence first (then live ones).</summary>
    public long? SinceSequence { get; set; }

    /// <summary>
    /// Called when Tekton no longer retains the events after the sequence the subscription resumes from: some were
    /// missed, so read the current state over REST. Live events follow as usual.
    /// </summary>
    public Action<ResyncRequired>? OnResyncRequired { get; set; }

    /// <summary>Called when the connection is lost; the subscription reconnects by itself.</summary>
    public Action<Exception?>? OnDisconnected { get; set; }

    /// <summary>Called when a lost connection is back and resubscribed.</summary>
    public Action? OnReconnected { get; set; }

    /// <summary>Called when the event handler throws; the subscription goes on.</summary>
    public Action<Exception>? OnHandlerError { get; set; }

    /// <summary>The longest wait between reconnection attempts (default 5 s; the waits grow from 100 ms, with jitter).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A live subscription to one of Tekton's event channels over a WebSocket. It reconnects when the connection
/// drops (Tekton restarting, a network failure, being dropped as a slow consumer) and resubscribes with
/// <c>since_sequence</c> set to the last event it delivered, so no retained event is lost or delivered twice.
/// Events are delivered one at a time, in sequence order. Dispose it (or call <see cref="UnsubscribeAsync"/>)
/// to stop.
/// </summary>
public sealed class TektonSubscription : IAsyncDisposable
{
    private const int MaxMessageBytes = 1 << 20;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;
    private readonly Func<long?, JsonObject> _subscribeMessage;
    private readonly Func<string, JsonElement, CancellationToken, Task> _dispatch;
    private readonly SubscriptionOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSequence;
    private int _reconnects;
    private volatile bool _connected;
    private Task _loop = Task.CompletedTask;

    private TektonSubscription(
        Uri endpoint, string? apiKey, Func<long?, JsonObject> subscribeMessage,
        Func<string, JsonElement, CancellationToken, Task> dispatch, SubscriptionOptions? options, TimeProvider time)
    {
        _endpoint = endpoint;
        _apiKey = apiKey;
        _subscribeMessage = subscribeMessage;
        _dispatch = dispatch;
        _options = options ?? new SubscriptionOptions();
        _time = time;
        _lastSequence = _options.SinceSequence ?? -1;
    }

    /// <summary>The sequence of the last event delivered (or the one it resumes after); <c>null</c> before any.</summary>
    public long? LastSequence => Interlocked.Read(ref _lastSequence) is var last and >= 0 ? last : null;

    /// <summary>How often the connection was re-established.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Whether the socket is connected and subscribed now.</summary>
    public bool IsConnected => _connected;

    /// <summary>Stops the subscription and closes its socket.</summary>
    public ValueTask UnsubscribeAsync() => DisposeAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static async Task<TektonSubscription> StartAsync(
        TektonClient client, string channel, Func<long?, JsonObject> subscribeMessage,
        Func<string, JsonElement, CancellationToken, Task> dispatch, SubscriptionOptions? options, CancellationToken cancellationToken)
    {
        var socketUri = new UriBuilder(new Uri(client.BaseAddress, $"ws/tekton/{channel}"))
        {
            Scheme = client.BaseAddress.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
        }.Uri;
        var subscription = new TektonSubscription(socketUri, client.ApiKey, subscribeMessage, dispatch, options, client.Options.TimeProvider);
        subscription._loop = subscription.RunAsync();
        try
        {
            await subscription._subscribed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return subscription;
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            Exception? lost = null;
            try
            {
                await ConnectAndReceiveAsync(() => failures = 0).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                lost = exception;
            }
            finally
            {
                _connected = false;
            }

            if (!_subscribed.Task.IsCompleted)
            {
                // The first connection failed: the caller of SubscribeTo…Async gets the error.
                _subscribed.TrySetException(lost ?? new WebSocketException("Tekton closed the event socket before the subscription was confirmed."));
                return;
            }

            _options.OnDisconnected?.Invoke(lost);
            failures++;
            var ceiling = Math.Min(_options.MaxReconnectDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 16) - 1));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2), _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConnectAndReceiveAsync(Action onSubscribed)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        if (_apiKey is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + _apiKey);
        }

        try
        {
            await socket.ConnectAsync(_endpoint, _stop.Token).ConfigureAwait(false);
        }
        catch (WebSocketException) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new TektonApiException(socket.HttpStatusCode, 1008, $"Tekton refused the event socket ({(int)socket.HttpStatusCode}): check the API key.");
        }

        var subscribe = _subscribeMessage(LastSequence);
        await socket.SendAsync(Encoding.UTF8.GetBytes(subscribe.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token).ConfigureAwait(false);

        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                if (!await ReceiveMessageAsync(socket, buffer).ConfigureAwait(false))
                {
                    return;
                }

                using var document = JsonDocument.Parse(buffer.WrittenMemory);
                var message = document.RootElement;
                var kind = message.TryGetProperty("event", out var e) ? e.GetString() : null;
                switch (kind)
                {
                    case "subscribed":
                        // Without a sequence to resume from, live events start after latest_sequence: remember it, so a
                        // reconnection before the first event still resumes without a gap.
                        if (LastSequence is null && message.TryGetProperty("latest_sequence", out var latest) && latest.TryGetInt64(out var newest))
                        {
                            Interlocked.Exchange(ref _lastSequence, newest);
                        }

                        _connected = true;
                        onSubscribed();
                        if (!_subscribed.TrySetResult())
                        {
                            Interlocked.Increment(ref _reconnects);
                            _options.OnReconnected?.Invoke();
                        }

                        break;
                    case "error" when !_subscribed.Task.IsCompleted:
                        var code = message.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 1000;
                        var text = message.TryGetProperty("message", out var m) ? m.GetString() : null;
                        _subscribed.TrySetException(new TektonApiException(HttpStatusCode.BadRequest, code, text ?? "Tekton refused the subscription."));
                        await _stop.CancelAsync().ConfigureAwait(false);
                        return;
                    case "resync_required":
                        _options.OnResyncRequired?.Invoke(message.Deserialize<ResyncRequired>(TektonJson.Options)!);
                        break;
                    case { } eventName when message.TryGetProperty("sequence", out var s) && s.TryGetInt64(out var sequence):
                        if (sequence <= Interlocked.Read(ref _lastSequence))
                        {
                            break;
                        }

                        Interlocked.Exchange(ref _lastSequence, sequence);
                        try
                        {
                            await _dispatch(eventName, message, _stop.Token).ConfigureAwait(false);
                        }
                        catch (Exception exception) when (exception is not OperationCanceledException || !_stop.IsCancellationRequested)
                        {
                            _options.OnHandlerError?.Invoke(exception);
                        }

                        break;
                }
            }
        }
        finally
        {
            if (_stop.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "unsubscribed", closing.Token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task<bool> ReceiveMessageAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer)
    {
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(4096), _stop.Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxMessageBytes)
            {
                throw new WebSocketException($"An event message is larger than {MaxMessageBytes} bytes.");
            }

            if (result.EndOfMessage)
            {
                return true;
            }
        }
    }
}

public sealed partial class TektonClient
{
    /// <summary>
    /// Subscribes to the heartbeats of <paramref name="componentId"/> (or <c>"all"</c>) on <c>/ws/tekton/heartbeat</c>.
    /// Returns once Tekton confirmed the subscription; throws <see cref="TektonApiException"/> when it refuses it.
    /// </summary>
    public Task<TektonSubscription> SubscribeToHeartbeatsAsync(
        string componentId, Func<HeartbeatEvent, CancellationToken, Task> handler, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return TektonSubscription.StartAsync(
            this, "heartbeat",
            since => WithSince(new JsonObject { ["action"] = "subscribe", ["component_id"] = componentId }, since),
            (kind, message, token) => kind == "heartbeat"
                ? handler(message.Deserialize<HeartbeatEvent>(TektonJson.Options)! with { Raw = message.Clone() }, token)
                : Task.CompletedTask,
            options, cancellationToken);
    }

    /// <summary>Subscribes to heartbeats with a synchronous handler.</summary>
    public Task<TektonSubscription> SubscribeToHeartbeatsAsync(
        string componentId, Action<HeartbeatEvent> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default) =>
        SubscribeToHeartbeatsAsync(componentId, (e, _) => { handler(e); return Task.CompletedTask; }, options, cancellationToken);

    /// <summary>
    /// Subscribes to the state changes of components of <paramref name="componentTypes"/> (<c>["all"]</c> for every
    /// type), optionally only of <paramref name="componentIds"/>, on <c>/ws/tekton/state</c>.
    /// </summary>
    public Task<TektonSubscription> SubscribeToStateChangesAsync(
        IEnumerable<string> componentTypes, Func<StateChangeEvent, CancellationToken, Task> handler, IEnumerable<string>? componentIds = null,
        SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var types = componentTypes.ToArray();
        var ids = componentIds?.ToArray();
        return TektonSubscription.StartAsync(
            this, "state",
            since =>
            {
                var message = new JsonObject { ["action"] = "subscribe", ["component_types"] = new JsonArray([.. types.Select(t => JsonValue.Create(t))]) };
                if (ids is not null)
                {
                    message["component_ids"] = new JsonArray([.. ids.Select(i => JsonValue.Create(i))]);
                }

                return WithSince(message, since);
            },
            (kind, message, token) => kind == "state_change"
                ? handler(message.Deserialize<StateChangeEvent>(TektonJson.Options)! with { Raw = message.Clone() }, token)
                : Task.CompletedTask,
            options, cancellationToken);
    }

    /// <summary>Subscribes to state changes with a synchronous handler.</summary>
    public Task<TektonSubscription> SubscribeToStateChangesAsync(
        IEnumerable<string> componentTypes, Action<StateChangeEvent> handler, IEnumerable<string>? componentIds = null,
        SubscriptionOptions? options = null, CancellationToken cancellationToken = default) =>
        SubscribeToStateChangesAsync(componentTypes, (e, _) => { handler(e); return Task.CompletedTask; }, componentIds, options, cancellationToken);

    private static JsonObject WithSince(JsonObject message, long? since)
    {
        if (since is { } value)
        {
            message["since_sequence"] = value;
        }

        return message;
    }
}
