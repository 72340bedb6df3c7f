using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Tekton.Domain.Components;

namespace Tekton.Application.Events;

/// <summary>What a subscribe achieved, for the acknowledgement.</summary>
public readonly record struct SubscribeOutcome(bool Accepted, string? Refusal, long LatestSequence, int Replayed, bool ResyncRequired);

/// <summary>
/// The one in-process event bus (design §10). Publishing numbers the event, keeps it in its channel's retained
/// window and offers it to every subscriber whose filters match, all under one short lock that never waits
/// for a subscriber: a subscriber whose queue is full is dropped instead. Because numbering, retention,
/// delivery and (re)subscription all happen under that lock, a subscriber replaying from a sequence gets every
/// later event exactly once: the retained ones first, then the live ones.
/// </summary>
public sealed class EventBus
{
    private readonly Lock _gate = new();
    private readonly List<EventSubscriber> _subscribers = [];
    private readonly RetainedWindow _heartbeats;
    private readonly RetainedWindow _states;
    private readonly EventSequence _sequence;
    private readonly int _maxSubscriptions;
    // Counted here and read by the meter when /metrics is scraped: a counter's Add with a tag costs a label look-up
    // in the exporter on every heartbeat (docs/performance-notes.md).
    private long _publishedHeartbeats;
    private long _publishedStates;
    private readonly Counter<long> _slowConsumers;

    public EventBus(EventSequence sequence, IOptions<EventOptions> options, IMeterFactory meters)
    {
        _sequence = sequence;
        _heartbeats = new RetainedWindow(options.Value.RetainedEvents);
        _states = new RetainedWindow(options.Value.RetainedEvents);
        _maxSubscriptions = options.Value.MaxSubscriptionsPerConnection;
        var meter = meters.Create("Tekton");
        meter.CreateObservableCounter("events.published", CountPublished, "{event}", "Events published, by channel");
        _slowConsumers = meter.CreateCounter<long>("events.slow_consumers", "{connection}", "Subscribers disconnected for falling behind, by transport");
        meter.CreateObservableGauge("events.subscribers", CountSubscribers, "{connection}", "Connections attached to the event bus, by transport");
    }

    /// <summary>The sequence of the newest event published (or about to be).</summary>
    public long LatestSequence => _sequence.Last;

    /// <summary>At boot: the state changes to hold for replay, oldest first, and where each window is complete from.</summary>
    public void Restore(IEnumerable<StateChange> recentStateChanges, long statesCompleteAfter, long heartbeatsCompleteAfter)
    {
        lock (_gate)
        {
            _states.Reset(statesCompleteAfter);
            foreach (var change in recentStateChanges)
            {
                _states.Add(StateChangeEvent.From(change));
            }

            _heartbeats.Reset(heartbeatsCompleteAfter);
        }
    }

    public void Attach(EventSubscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers.Add(subscriber);
        }
    }

    /// <summary>Stops deliveries to the subscriber and ends its queue.</summary>
    public void Detach(EventSubscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscriber);
        }

        subscriber.Complete();
    }

    /// <summary>
    /// With several nodes: receives each heartbeat event published here (not the relayed ones), once it is
    /// numbered and delivered, to pass on to the other nodes.
    /// </summary>
    public Action<HeartbeatEvent>? Relay { get; set; }

    public void Publish(HeartbeatEvent heartbeat)
    {
        PublishHeartbeat(heartbeat);
        Relay?.Invoke(heartbeat);
    }

    /// <summary>A heartbeat event another node received: numbered in this node's stream like one received here.</summary>
    public void PublishRelayed(HeartbeatEvent heartbeat) => PublishHeartbeat(heartbeat);

    /// <summary>
    /// State changes another node committed, oldest first: each gets this node's next number as it is delivered.
    /// Called on the registry writer's loop between its own groups, so the state channel stays in order.
    /// </summary>
    public void PublishRelayed(IReadOnlyList<StateChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        List<EventSubscriber>? slow = null;
        lock (_gate)
        {
            foreach (var change in changes)
            {
                var e = StateChangeEvent.From(change);
                e.Sequence = _sequence.Next();
                _states.Add(e);
                Deliver(e, ref slow);
            }
        }

        Interlocked.Add(ref _publishedStates, changes.Count);
        Drop(slow);
    }

    private void PublishHeartbeat(HeartbeatEvent heartbeat)
    {
        List<EventSubscriber>? slow = null;
        lock (_gate)
        {
            heartbeat.Sequence = _sequence.Next();
            _heartbeats.Add(heartbeat);
            Deliver(heartbeat, ref slow);
        }

        Interlocked.Increment(ref _publishedHeartbeats);
        Drop(slow);
    }

    /// <summary>Publishes committed state changes, in the order they were recorded (their sequences ascend).</summary>
    public void Publish(IReadOnlyList<StateChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        List<EventSubscriber>? slow = null;
        lock (_gate)
        {
            foreach (var change in changes)
            {
                var e = StateChangeEvent.From(change);
                _states.Add(e);
                Deliver(e, ref slow);
            }
        }

        Interlocked.Add(ref _publishedStates, changes.Count);
        Drop(slow);
    }

    /// <summary>
    /// Adds a subscription. With <paramref name="since"/>, the retained events after it that the subscriber
    /// does not already receive are queued first, or a <see cref="ResyncRequired"/> notice when the window no
    /// longer reaches back that far. <paramref name="acknowledge"/> builds a notice queued before all of that.
    /// </summary>
    public SubscribeOutcome Subscribe(
        EventSubscriber subscriber, EventFilter filter, long? since, Func<SubscribeOutcome, object>? acknowledge = null)
    {
        List<EventSubscriber>? slow = null;
        SubscribeOutcome outcome;
        lock (_gate)
        {
            outcome = SubscribeLocked(subscriber, filter, since, acknowledge, ref slow);
        }

        Drop(slow);
        return outcome;
    }

    /// <summary>Removes the subscriber's subscriptions that <paramref name="match"/> accepts; returns how many.</summary>
    public int Unsubscribe(EventSubscriber subscriber, Func<EventFilter, bool> match)
    {
        lock (_gate)
        {
            return subscriber.Filters.RemoveAll(f => match(f));
        }
    }

    private SubscribeOutcome SubscribeLocked(
        EventSubscriber subscriber, EventFilter filter, long? since, Func<SubscribeOutcome, object>? acknowledge, ref List<EventSubscriber>? slow)
    {
        var latest = _sequence.Last;
        if (!_subscribers.Contains(subscriber))
        {
            return new SubscribeOutcome(false, "The connection is closing.", latest, 0, false);
        }

        var already = subscriber.Filters.Any(f => Same(f, filter));
        if (!already && subscriber.Filters.Count >= _maxSubscriptions)
        {
            return new SubscribeOutcome(false, $"A connection may hold at most {_maxSubscriptions} subscriptions.", latest, 0, false);
        }

        var window = filter.Channel == EventChannel.Heartbeat ? _heartbeats : _states;
        List<TektonEvent>? replay = null;
        var resync = false;
        if (since is { } from && !already)
        {
            if (from < window.CompleteAfter)
            {
                resync = true;
            }
            else
            {
                replay = window.After(from, e => filter.Matches(e) && !subscriber.Wants(e));
            }
        }

        var outcome = new SubscribeOutcome(true, null, latest, replay?.Count ?? 0, resync);
        var queued = acknowledge is null || subscriber.TryEnqueue(new Delivery(null, null, acknowledge(outcome)));
        if (queued && resync)
        {
            queued = subscriber.TryEnqueue(new Delivery(null, null, new ResyncRequired(filter.Channel, since!.Value, window.Oldest, latest)));
        }

        if (queued && replay is { Count: > 0 })
        {
            queued = subscriber.TryEnqueue(new Delivery(null, replay, null));
        }

        if (!queued)
        {
            _subscribers.Remove(subscriber);
            (slow ??= []).Add(subscriber);
            return outcome with { Accepted = false, Refusal = "The connection fell behind." };
        }

        if (!already)
        {
            subscriber.Filters.Add(filter);
        }

        return outcome;
    }

    private void Deliver(TektonEvent e, ref List<EventSubscriber>? slow)
    {
        var delivery = new Delivery(e, null, null);
        foreach (var subscriber in _subscribers)
        {
            if (subscriber.Wants(e) && !subscriber.TryEnqueue(delivery))
            {
                (slow ??= []).Add(subscriber);
            }
        }

        if (slow is not null)
        {
            foreach (var subscriber in slow)
            {
                _subscribers.Remove(subscriber);
            }
        }
    }

    /// <summary>Outside the lock: the subscriber's transport reacts to the overflow by closing the connection.</summary>
    private void Drop(List<EventSubscriber>? slow)
    {
        if (slow is null)
        {
            return;
        }

        foreach (var subscriber in slow)
        {
            _slowConsumers.Add(1, new KeyValuePair<string, object?>("transport", subscriber.Transport));
            subscriber.Overflow();
        }
    }

    private static bool Same(EventFilter a, EventFilter b) => (a, b) switch
    {
        (StateFilter x, StateFilter y) => x.SameAs(y),
        _ => a.Equals(b),
    };

    /// <summary>The subscribers attached now: a connection dropped as a slow consumer is no longer counted.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>The subscribers attached now over one transport (<see cref="EventSubscriber.Transports"/>).</summary>
    public int SubscriberCountOver(string transport)
    {
        lock (_gate)
        {
            return CountOver(transport);
        }
    }

    /// <summary>Under <see cref="_gate"/>.</summary>
    private int CountOver(string transport) => _subscribers.Count(s => s.Transport == transport);

    private IEnumerable<Measurement<long>> CountPublished() =>
    [
        new(Interlocked.Read(ref _publishedHeartbeats), new KeyValuePair<string, object?>("channel", "heartbeat")),
        new(Interlocked.Read(ref _publishedStates), new KeyValuePair<string, object?>("channel", "state")),
    ];

    /// <summary>Every transport is reported, with 0 when it has none: a missing series would keep its last value.</summary>
    private IEnumerable<Measurement<int>> CountSubscribers()
    {
        lock (_gate)
        {
            return EventSubscriber.Transports
                .Select(t => new Measurement<int>(CountOver(t), new KeyValuePair<string, object?>("transport", t)))
                .ToList();
        }
    }
}
