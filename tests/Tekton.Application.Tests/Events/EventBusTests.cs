using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Events;
using Tekton.Application.Tests.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Tests.Events;

public sealed class EventBusTests
{
    private readonly EventSequence _sequence = new();

    [Fact]
    public void A_full_queue_drops_that_subscriber_alone_and_the_publisher_never_waits()
    {
        var bus = Bus(queue: 16);
        var slow = Subscribe(bus, new HeartbeatFilter("all"));
        var healthy = Subscribe(bus, new HeartbeatFilter("all"));

        for (var i = 0; i < 40; i++)
        {
            bus.Publish(Heartbeat("engram"));
            Drain(healthy);
        }

        slow.IsOverflowed.Should().BeTrue();
        healthy.IsOverflowed.Should().BeFalse();
        Drain(slow).Should().HaveCount(16, "what was queued before the overflow can still be read");
        slow.Reader.Completion.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void Subscribing_since_a_sequence_queues_the_acknowledgement_then_the_retained_events_then_live_ones()
    {
        var bus = Bus();
        var early = Enumerable.Range(0, 5).Select(_ => Heartbeat("engram")).ToList();
        early.ForEach(bus.Publish);
        var subscriber = new EventSubscriber(EventSubscriber.WebSocket, 64);
        bus.Attach(subscriber);

        var outcome = bus.Subscribe(subscriber, new HeartbeatFilter("engram"), early[1].Sequence, o => $"ack {o.Replayed}");
        bus.Publish(Heartbeat("engram"));
        var deliveries = Drain(subscriber);

        outcome.Replayed.Should().Be(3);
        deliveries[0].Notice.Should().Be("ack 3");
        deliveries[1].Replay!.Select(e => e.Sequence).Should().Equal(early.Skip(2).Select(e => e.Sequence));
        deliveries[2].Event!.Sequence.Should().BeGreaterThan(early[^1].Sequence);
    }

    [Fact]
    public void A_replay_leaves_out_what_an_existing_subscription_already_delivered()
    {
        var bus = Bus();
        var subscriber = Subscribe(bus, new HeartbeatFilter("engram"));
        bus.Publish(Heartbeat("engram"));
        bus.Publish(Heartbeat("hermes"));
        Drain(subscriber);

        bus.Subscribe(subscriber, new HeartbeatFilter("all"), since: 0);

        Drain(subscriber).Single().Replay!.Select(e => e.ComponentId).Should().Equal("hermes");
    }

    [Fact]
    public void A_replay_from_before_the_window_is_a_resync_and_the_subscription_still_goes_live()
    {
        var bus = Bus(retained: 3);
        var first = Heartbeat("engram");
        bus.Publish(first);
        for (var i = 0; i < 5; i++)
        {
            bus.Publish(Heartbeat("engram"));
        }

        var subscriber = new EventSubscriber(EventSubscriber.WebSocket, 64);
        bus.Attach(subscriber);
        var outcome = bus.Subscribe(subscriber, new HeartbeatFilter("all"), first.Sequence);
        bus.Publish(Heartbeat("engram"));
        var deliveries = Drain(subscriber);

        outcome.ResyncRequired.Should().BeTrue();
        deliveries[0].Notice.Should().BeOfType<ResyncRequired>().Which.OldestSequence.Should().Be(first.Sequence + 3);
        deliveries[1].Event.Should().NotBeNull();
    }

    [Fact]
    public void State_filters_match_on_type_and_optionally_id()
    {
        var bus = Bus();
        var subscriber = Subscribe(bus, new StateFilter(["memory"], ["engram"]));

        bus.Publish([Change("athena", "memory"), Change("engram", "memory"), Change("engram2", "llm")]);

        Drain(subscriber).Select(d => d.Event!.ComponentId).Should().Equal("engram");
    }

    [Fact]
    public void Restored_state_changes_replay_after_a_restart_and_older_ones_need_a_resync()
    {
        var bus = Bus(retained: 2);
        var changes = new[] { Change("a", "service"), Change("b", "service") };
        bus.Restore(changes, statesCompleteAfter: changes[0].Sequence - 1, heartbeatsCompleteAfter: changes[1].Sequence);
        var subscriber = new EventSubscriber(EventSubscriber.WebSocket, 64);
        bus.Attach(subscriber);

        bus.Subscribe(subscriber, new StateFilter(["all"], null), changes[0].Sequence);
        var late = bus.Subscribe(subscriber, new HeartbeatFilter("all"), changes[0].Sequence);

        Drain(subscriber)[0].Replay!.Select(e => e.ComponentId).Should().Equal("b");
        late.ResyncRequired.Should().BeTrue("heartbeats from before the restart are not kept");
    }

    [Fact]
    public async Task The_sequence_reserves_the_next_block_in_the_background_when_half_of_it_is_used()
    {
        var reserved = new List<long>();
        var sequence = new EventSequence();
        var done = new TaskCompletionSource();
        sequence.Start(last: 10, reservedThrough: 10 + EventSequence.BlockSize, upTo =>
        {
            reserved.Add(upTo);
            done.TrySetResult();
            return Task.CompletedTask;
        }, _ => { });

        for (var i = 0; i < EventSequence.BlockSize / 2; i++)
        {
            sequence.Next();
        }

        reserved.Should().BeEmpty();
        sequence.Next().Should().Be(11 + (EventSequence.BlockSize / 2));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        reserved.Should().Equal(10 + (2 * EventSequence.BlockSize));
    }

    private EventBus Bus(int queue = 1024, int retained = 100) => new(
        _sequence, Options.Create(new EventOptions { QueueCapacity = queue, RetainedEvents = retained }), new TestMeters());

    private static EventSubscriber Subscribe(EventBus bus, EventFilter filter)
    {
        var subscriber = new EventSubscriber(EventSubscriber.WebSocket, 16);
        bus.Attach(subscriber);
        bus.Subscribe(subscriber, filter, since: null).Accepted.Should().BeTrue();
        return subscriber;
    }

    private static List<Delivery> Drain(EventSubscriber subscriber)
    {
        var deliveries = new List<Delivery>();
        while (subscriber.Reader.TryRead(out var delivery))
        {
            deliveries.Add(delivery);
        }

        return deliveries;
    }

    private static HeartbeatEvent Heartbeat(string id) => new()
    {
        ComponentId = id,
        InstanceUuid = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Status = "ready",
        Metrics = JsonText.EmptyObject,
    };

    private StateChange Change(string id, string type)
    {
        var change = new StateChange(id, type, Guid.NewGuid(), null, ComponentState.Registered, DateTimeOffset.UtcNow, "registered");
        change.Sequenced(_sequence.Next());
        return change;
    }
}
