using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mediator;
using Tekton.Application.Events;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Errors;
using Tekton.Web.Infrastructure;

namespace Tekton.Web.Events;

/// <summary>
/// One connection to <c>/ws/tekton/heartbeat</c> or <c>/ws/tekton/state</c>. The receive loop reads the client's
/// messages and acts on them; what the bus queued for this subscriber is written, in order, by the
/// <see cref="EventFanout"/> loop (the socket's only writer besides its own keep-alive), then the closing
/// handshake. A close is asked for once (first reason wins: the client's close, a message too big, a slow
/// consumer, shutdown) and bounded by <see cref="EventOptions.CloseTimeoutSeconds"/>, after which the
/// connection is aborted.
/// </summary>
internal sealed partial class EventSocketSession : EventSink
{
    // The generated options leave MaxDepth at 64; a client's message gets the limit REST bodies have (design §11).
    private static readonly JsonTypeInfo<SocketRequest> RequestJson = (JsonTypeInfo<SocketRequest>)
        new JsonSerializerOptions(TektonJsonContext.Default.Options) { MaxDepth = TektonJsonContext.MaxJsonDepth }.GetTypeInfo(typeof(SocketRequest));

    /// <summary>
    /// The actions each channel handles, in the order the error message names them. Each needs its row in
    /// <see cref="Security.SocketAccess.Actions"/>, which is checked before dispatch.
    /// </summary>
    private static readonly IReadOnlyDictionary<EventChannel, OrderedDictionary<string, Handler>> Handlers =
        new Dictionary<EventChannel, OrderedDictionary<string, Handler>>
        {
            [EventChannel.Heartbeat] = new(StringComparer.Ordinal)
            {
                ["subscribe"] = Immediate(static (session, request) => session.Subscribe(request)),
                ["unsubscribe"] = Immediate(static (session, request) => session.Unsubscribe(request)),
                ["heartbeat"] = static (session, request, cancellationToken) => session.HeartbeatAsync(request, cancellationToken),
            },
            [EventChannel.State] = new(StringComparer.Ordinal)
            {
                ["subscribe"] = Immediate(static (session, request) => session.Subscribe(request)),
                ["unsubscribe"] = Immediate(static (session, request) => session.Unsubscribe(request)),
            },
        };

    private delegate Task Handler(EventSocketSession session, SocketRequest request, CancellationToken cancellationToken);

    /// <summary>The actions <paramref name="channel"/> handles (for the role-table test).</summary>
    internal static IReadOnlyCollection<string> HandledActions(EventChannel channel) => Handlers[channel].Keys;

    private static Handler Immediate(Action<EventSocketSession, SocketRequest> action) => (session, request, _) =>
    {
        action(session, request);
        return Task.CompletedTask;
    };

    private readonly WebSocket _socket;
    private readonly EventChannel _channel;
    private readonly EventBus _bus;
    private readonly IMediator _mediator;
    private readonly EventOptions _options;
    private readonly ILogger _logger;
    private readonly EventSubscriber _subscriber;
    private readonly Security.Caller _caller;
    private readonly Application.Security.AuditTrail _audit;
    private readonly HttpContext _http;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = string.Empty;

    public EventSocketSession(
        WebSocket socket, EventChannel channel, EventBus bus, IMediator mediator, EventOptions options, ILogger logger,
        Security.Caller caller, Application.Security.AuditTrail audit, HttpContext http, EventFanout fanout)
        : base(fanout, EventSubscriber.WebSocket, options.QueueCapacity)
    {
        _caller = caller;
        _audit = audit;
        _http = http;
        _socket = socket;
        _channel = channel;
        _bus = bus;
        _mediator = mediator;
        _options = options;
        _logger = logger;
        _subscriber = Subscriber;
    }

    /// <param name="credentialsExpire">When the token the socket was opened with expires: the socket is closed then (1008).</param>
    /// <param name="credentialsRevoked">Cancelled when the key the socket was opened with is revoked: the socket is closed then (1008).</param>
    public async Task RunAsync(
        CancellationToken stopping, CancellationToken requestAborted, DateTimeOffset? credentialsExpire = null, CancellationToken credentialsRevoked = default)
    {
        _bus.Attach(_subscriber);
        using var expiry = new CancellationTokenSource();
        if (credentialsExpire is { } expires)
        {
            expiry.CancelAfter(TimeSpan.FromMilliseconds(Math.Clamp((expires - DateTimeOffset.UtcNow).TotalMilliseconds, 0, int.MaxValue - 1)));
        }

        using var onExpired = expiry.Token.Register(() => RequestClose(WebSocketCloseStatus.PolicyViolation, "credentials expired"));
        using var onRevoked = credentialsRevoked.Register(() => RequestClose(WebSocketCloseStatus.PolicyViolation, "credentials revoked"));
        using var onStopping = stopping.Register(() => RequestClose(WebSocketCloseStatus.EndpointUnavailable, "server shutting down"));
        using var onOverflow = _subscriber.Overflowed.Register(() => RequestClose(WebSocketCloseStatus.PolicyViolation, "slow consumer"));
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _abort.Token);
        // Writes are not cancellable one by one (that would cost a registration per event): past the close
        // timeout, the connection is aborted, which ends a write the peer never made room for.
        using var onAbort = _abort.Token.Register(() =>
        {
            _socket.Abort();
            _http.Abort();
        });
        try
        {
            await ReceiveAsync(receiving.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // The peer went away, or the close timed out: nothing more to read.
        }
        finally
        {
            _bus.Detach(_subscriber);
            RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty);
            await _closed.Task;
            _abort.Dispose();
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxMessageBytes + 1);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count, _options.MaxMessageBytes + 1 - count), cancellationToken);
                    count += result.Count;
                }
                while (!result.EndOfMessage && count <= _options.MaxMessageBytes);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty);
                    return;
                }

                if (count > _options.MaxMessageBytes)
                {
                    RequestClose(WebSocketCloseStatus.MessageTooBig, $"message exceeds {_options.MaxMessageBytes} bytes");
                    await DrainUntilCloseAsync(buffer, cancellationToken);
                    return;
                }

                if (Volatile.Read(ref _closing) != 0)
                {
                    continue;
                }

                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Send(new ErrorNotice((int)ErrorCode.GeneralError, "Send each message as one JSON text frame."));
                    continue;
                }

                await HandleAsync(buffer.AsMemory(0, count), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>After asking to close, reads (and ignores) until the client's close frame, or the close timeout.</summary>
    private async Task DrainUntilCloseAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        while ((await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken)).MessageType != WebSocketMessageType.Close)
        {
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        SocketRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(message.Span, RequestJson);
        }
        catch (JsonException exception)
        {
            Send(new ErrorNotice((int)ErrorCode.GeneralError, $"The message is not a valid request: {exception.Message}"));
            return;
        }

        var handlers = Handlers[_channel];
        if (request?.Action is not { } action || !handlers.TryGetValue(action, out var handle))
        {
            var actions = string.Join(", ", handlers.Keys.SkipLast(1)) + " or " + handlers.Keys.Last();
            Send(new ErrorNotice((int)ErrorCode.GeneralError, request?.Action is null
                ? $"action is required: {actions}."
                : $"Unknown action '{request.Action}' on the {EventJson.ChannelName(_channel)} channel: use {actions}."));
            return;
        }

        var (allowed, detail) = Security.SocketAccess.Decide(_caller, _channel, action, request.ComponentId);
        if (!allowed)
        {
            _ = _audit.RecordAsync(Security.AuditRecords.Entry(_http, _caller, "socket:" + action, request.ComponentId, "denied", 0, detail));
            Send(new ErrorNotice((int)ErrorCode.AuthorizationError, detail!));
            return;
        }

        await handle(this, request, cancellationToken);
    }

    private void Subscribe(SocketRequest request)
    {
        if (SubscriptionRules.Since(request.SinceSequence) is { } sinceError)
        {
            Send(new ErrorNotice((int)ErrorCode.GeneralError, sinceError));
            return;
        }

        var (filter, error) = Filter(request);
        if (filter is null)
        {
            Send(new ErrorNotice((int)ErrorCode.GeneralError, error!));
            return;
        }

        var outcome = _bus.Subscribe(_subscriber, filter, request.SinceSequence, o => Acknowledge("subscribed", request, o));
        if (!outcome.Accepted && !_subscriber.IsOverflowed)
        {
            Send(new ErrorNotice((int)ErrorCode.GeneralError, outcome.Refusal!));
        }
    }

    private void Unsubscribe(SocketRequest request)
    {
        int removed;
        if (_channel == EventChannel.Heartbeat)
        {
            var (filter, error) = SubscriptionRules.Heartbeats(request.ComponentId);
            if (filter is null)
            {
                Send(new ErrorNotice((int)ErrorCode.GeneralError, error!));
                return;
            }

            removed = _bus.Unsubscribe(_subscriber, f => f.Equals(filter));
        }
        else if (request.ComponentTypes is null && request.ComponentIds is null)
        {
            removed = _bus.Unsubscribe(_subscriber, f => f is StateFilter);
        }
        else
        {
            var (filter, error) = SubscriptionRules.States(request.ComponentTypes, request.ComponentIds);
            if (filter is null)
            {
                Send(new ErrorNotice((int)ErrorCode.GeneralError, error!));
                return;
            }

            removed = _bus.Unsubscribe(_subscriber, f => f is StateFilter state && state.SameAs(filter));
        }

        Send(Acknowledge("unsubscribed", request, new SubscribeOutcome(true, null, _bus.LatestSequence, 0, false)) with { Removed = removed });
    }

    private async Task HeartbeatAsync(SocketRequest request, CancellationToken cancellationToken)
    {
        if (request.ComponentId is null)
        {
            Send(new ErrorNotice((int)ErrorCode.GeneralError, "component_id is required: the component sending the heartbeat."));
            return;
        }

        try
        {
            var body = new HeartbeatBody
            {
                InstanceUuid = request.InstanceUuid,
                Status = request.Status,
                Metrics = request.Metrics,
                Health = request.Health,
            };
            var result = await _mediator.Send(new RecordHeartbeat(request.ComponentId, body), cancellationToken);
            Send(new HeartbeatReceivedNotice(request.ComponentId, result.InstanceUuid, result.Status));
        }
        catch (TektonException exception)
        {
            // Validation (1000), an unknown component or instance (1001), a refused transition (1012), a failed write.
            Send(new ErrorNotice((int)exception.Code, exception.Message));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogHeartbeatFailed(exception, request.ComponentId);
            Send(new ErrorNotice((int)ErrorCode.GeneralError, "Tekton could not record the heartbeat; the server log has the details."));
        }
    }

    private (EventFilter? Filter, string? Error) Filter(SocketRequest request) =>
        _channel == EventChannel.Heartbeat
            ? SubscriptionRules.Heartbeats(request.ComponentId)
            : SubscriptionRules.States(request.ComponentTypes, request.ComponentIds);

    private SubscriptionNotice Acknowledge(string name, SocketRequest request, SubscribeOutcome outcome) => new()
    {
        Event = name,
        ComponentId = _channel == EventChannel.Heartbeat ? request.ComponentId : null,
        ComponentTypes = _channel == EventChannel.State ? request.ComponentTypes : null,
        ComponentIds = _channel == EventChannel.State ? request.ComponentIds : null,
        LatestSequence = outcome.LatestSequence,
        Replayed = request.SinceSequence is null || name != "subscribed" ? null : outcome.Replayed,
        ResyncRequired = outcome.ResyncRequired,
    };

    /// <summary>Queues a notice behind the events already queued; a full queue makes this a slow consumer.</summary>
    private void Send(object notice)
    {
        if (!_subscriber.TrySend(notice))
        {
            RequestClose(WebSocketCloseStatus.PolicyViolation, "slow consumer");
        }
    }

    private void RequestClose(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeReason = reason;
        try
        {
            _abort.CancelAfter(TimeSpan.FromSeconds(_options.CloseTimeoutSeconds));
        }
        catch (ObjectDisposedException)
        {
            // The session already ended.
        }

        Stop();
    }

    /// <summary>Writes one delivery; the fan-out loop's fast path is a live event whose frame fits in the socket's buffers.</summary>
    protected override ValueTask SendAsync(Delivery delivery) =>
        delivery.Event is { } e
            ? _socket.SendAsync(new ReadOnlyMemory<byte>(EventJson.Encode(e)), WebSocketMessageType.Text, true, CancellationToken.None)
            : SendOtherAsync(delivery);

    private async ValueTask SendOtherAsync(Delivery delivery)
    {
        if (delivery.Replay is { } replay)
        {
            foreach (var replayed in replay)
            {
                await _socket.SendAsync(EventJson.Encode(replayed), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        else if (delivery.Notice is { } notice)
        {
            await _socket.SendAsync(EventJson.Encode(notice), WebSocketMessageType.Text, true, CancellationToken.None);
        }
    }

    protected override void Failed(Exception exception)
    {
        if (exception is not (OperationCanceledException or WebSocketException or ObjectDisposedException))
        {
            LogSendFailed(exception);
            RequestClose(WebSocketCloseStatus.InternalServerError, "internal error");
        }

        // Otherwise the connection is gone, or closing.
    }

    /// <summary>The last write: the closing handshake, once nothing more is sent.</summary>
    protected override async Task StoppedAsync()
    {
        try
        {
            if (Volatile.Read(ref _closing) != 0 && _closeStatus == WebSocketCloseStatus.PolicyViolation)
            {
                LogSlowConsumer(EventJson.ChannelName(_channel));
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, _abort.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The peer is gone or would not take the close in time; the connection is aborted.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording a heartbeat of {ComponentId} sent on the socket failed")]
    private partial void LogHeartbeatFailed(Exception exception, string componentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending on an event socket failed; the socket is closed")]
    private partial void LogSendFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Channel} event socket fell behind and was disconnected (slow consumer)")]
    private partial void LogSlowConsumer(string channel);
}
