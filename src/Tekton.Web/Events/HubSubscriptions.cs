using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Tekton.Application.Events;
using Tekton.Domain.Errors;

namespace Tekton.Web.Events;

/// <summary>
/// The hub's connections as subscribers of the bus: one bounded queue and one send pump per connection. A
/// connection that falls behind is aborted (design §10); the others never wait for it.
/// </summary>
public sealed partial class HubSubscriptions(
    EventBus bus,
    EventConnections connections,
    IHubContext<TektonHub> hub,
    IOptions<EventOptions> options,
    ILogger<HubSubscriptions> logger)
{
    private readonly ConcurrentDictionary<string, EventSubscriber> _subscribers = new(StringComparer.Ordinal);

    /// <summary>Attaches a new connection; false when the connection limit is reached.</summary>
    public bool Open(HubCallerContext context)
    {
        if (!connections.TryOpen())
        {
            LogRefused(options.Value.MaxConnections);
            return false;
        }

        var subscriber = new EventSubscriber(EventSubscriber.SignalR, options.Value.QueueCapacity);
        _subscribers[context.ConnectionId] = subscriber;
        bus.Attach(subscriber);
        subscriber.Overflowed.Register(() =>
        {
            LogSlowConsumer(context.ConnectionId);
            context.Abort();
        });
        _ = PumpAsync(context, subscriber);
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

    private async Task PumpAsync(HubCallerContext context, EventSubscriber subscriber)
    {
        var connectionId = context.ConnectionId;
        var client = hub.Clients.Client(connectionId);
        try
        {
            await foreach (var delivery in subscriber.Reader.ReadAllAsync())
            {
                if (delivery.Event is { } e)
                {
                    await client.SendAsync(e.Event, new RawJson(EventJson.Encode(e)));
                }
                else if (delivery.Replay is { } replay)
                {
                    foreach (var replayed in replay)
                    {
                        await client.SendAsync(replayed.Event, new RawJson(EventJson.Encode(replayed)));
                    }
                }
                else if (delivery.Notice is ResyncRequired resync)
                {
                    await client.SendAsync("resync_required", EventJson.ToNotice(resync));
                }
            }
        }
        catch (Exception exception)
        {
            // The client is not told what went wrong, but it is told something did: it is disconnected.
            LogPumpFailed(exception, connectionId);
            context.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a hub connection: the limit of {Max} event connections is reached")]
    private partial void LogRefused(int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {ConnectionId} fell behind and was aborted (slow consumer)")]
    private partial void LogSlowConsumer(string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event delivery to hub connection {ConnectionId} failed; the connection is aborted")]
    private partial void LogPumpFailed(Exception exception, string connectionId);
}
