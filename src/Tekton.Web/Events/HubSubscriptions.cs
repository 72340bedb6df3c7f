using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Tekton.Application.Events;
using Tekton.Domain.Errors;

namespace Tekton.Web.Events;

/// <summary>
/// The hub's connections as subscribers of the bus: one bounded queue per connection, written by the
/// <see cref="EventFanout"/> loop. Each event's hub message is serialized once (<see cref="SerializedHubMessage"/>,
/// cached on the event) and the same bytes are written to every connection's <see cref="HubConnectionContext"/>;
/// under another lifetime manager (a backplane) delivery falls back to <c>IHubContext</c>. A connection that falls
/// behind is aborted (design §10); the others never wait for it.
/// </summary>
public sealed partial class HubSubscriptions(
    EventBus bus,
    EventConnections connections,
    EventFanout fanout,
    HubLifetimeManager<TektonHub> lifetime,
    IHubContext<TektonHub> hub,
    IOptions<EventOptions> options,
    ILogger<HubSubscriptions> logger)
{
    private readonly ConcurrentDictionary<string, EventSubscriber> _subscribers = new(StringComparer.Ordinal);
    private readonly EventFanout _fanout = fanout;
    private readonly IHubContext<TektonHub> _hub = hub;
    private readonly int _queueCapacity = options.Value.QueueCapacity;

    /// <summary>Attaches a new connection; false when the connection limit is reached.</summary>
    public bool Open(HubCallerContext context)
    {
        if (!connections.TryOpen())
        {
            LogRefused(options.Value.MaxConnections);
            return false;
        }

        var sink = new HubSink(this, context, (lifetime as TektonHubLifetimeManager)?.Find(context.ConnectionId));
        var subscriber = sink.Subscriber;
        _subscribers[context.ConnectionId] = subscriber;
        bus.Attach(subscriber);
        subscriber.Overflowed.Register(() =>
        {
            LogSlowConsumer(context.ConnectionId);
            sink.Abort();
        });
        return true;
    }

    public void Close(string connectionId)
    {
        if (_subscribers.TryRemove(connectionId, out var subscriber))
        {
            bus.Detach(subscriber);
            connections.Close();
        }
    }

    public SubscriptionNotice Subscribe(string connectionId, EventFilter filter, long? since)
    {
        var outcome = bus.Subscribe(Subscriber(connectionId), filter, since);
        if (!outcome.Accepted)
        {
            throw new HubException($"[{(int)ErrorCode.GeneralError}] {outcome.Refusal}");
        }

        return new SubscriptionNotice
        {
            Event = "subscribed",
            LatestSequence = outcome.LatestSequence,
            Replayed = since is null ? null : outcome.Replayed,
            ResyncRequired = outcome.ResyncRequired,
        };
    }

    public SubscriptionNotice Unsubscribe(string connectionId, Func<EventFilter, bool> match) => new()
    {
        Event = "unsubscribed",
        Removed = bus.Unsubscribe(Subscriber(connectionId), match),
        LatestSequence = bus.LatestSequence,
    };

    private EventSubscriber Subscriber(string connectionId) =>
        _subscribers.TryGetValue(connectionId, out var subscriber)
            ? subscriber
            : throw new HubException($"[{(int)ErrorCode.GeneralError}] The connection is closing.");

    /// <summary>The event's hub message, serialized once per protocol however many connections receive it.</summary>
    internal static SerializedHubMessage HubMessage(TektonEvent e)
    {
        // Two threads may both build it the first time; either is the same message.
        if (e.HubMessage is not SerializedHubMessage message)
        {
            message = new SerializedHubMessage(new InvocationMessage(e.Event, [new RawJson(EventJson.Encode(e))]));
            e.HubMessage = message;
        }

        return message;
    }

    /// <summary>One hub connection's side of the fan-out.</summary>
    private sealed class HubSink(HubSubscriptions owner, HubCallerContext context, HubConnectionContext? connection)
        : EventSink(owner._fanout, EventSubscriber.SignalR, owner._queueCapacity)
    {
        private readonly IClientProxy _client = owner._hub.Clients.Client(context.ConnectionId);

        public void Abort()
        {
            Stop();
            context.Abort();
        }

        protected override ValueTask SendAsync(Delivery delivery)
        {
            if (delivery.Event is { } e && connection is not null)
            {
                return connection.WriteAsync(HubMessage(e));
            }

            return SendOtherAsync(delivery);
        }

        private async ValueTask SendOtherAsync(Delivery delivery)
        {
            if (delivery.Event is { } e)
            {
                await _client.SendAsync(e.Event, new RawJson(EventJson.Encode(e)));
            }
            else if (delivery.Replay is { } replay)
            {
                foreach (var replayed in replay)
                {
                    if (connection is not null)
                    {
                        await connection.WriteAsync(HubMessage(replayed));
                    }
                    else
                    {
                        await _client.SendAsync(replayed.Event, new RawJson(EventJson.Encode(replayed)));
                    }
                }
            }
            else if (delivery.Notice is ResyncRequired resync)
            {
                await _client.SendAsync("resync_required", EventJson.ToNotice(resync));
            }
        }

        protected override void Failed(Exception exception)
        {
            // The client is not told what went wrong, but it is told something did: it is disconnected.
            owner.LogPumpFailed(exception, context.ConnectionId);
            context.Abort();
        }

        protected override Task StoppedAsync() => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a hub connection: the limit of {Max} event connections is reached")]
    private partial void LogRefused(int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {ConnectionId} fell behind and was aborted (slow consumer)")]
    private partial void LogSlowConsumer(string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event delivery to hub connection {ConnectionId} failed; the connection is aborted")]
    private partial void LogPumpFailed(Exception exception, string connectionId);
}
