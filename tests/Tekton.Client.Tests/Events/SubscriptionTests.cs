using System.Collections.Concurrent;

namespace Tekton.Client.Tests.Events;

[Collection(SharedServerCollection.Name)]
public sealed class SubscriptionTests(SharedServer shared)
{
    private readonly TektonClient _client = shared.Client;

    [Fact]
    public async Task Heartbeat_subscribers_receive_the_heartbeats_of_their_component_until_they_unsubscribe()
    {
        var id = SharedServer.Id("hb");
        var other = SharedServer.Id("hb-other");
        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(id, "Beats", "service", "1.0.0"));
        await _client.RegisterComponentAsync(new ComponentRegistration(other, "Other", "service", "1.0.0"));
        var received = new ConcurrentQueue<HeartbeatEvent>();
        var subscription = await _client.SubscribeToHeartbeatsAsync(id, received.Enqueue);

        await _client.SendHeartbeatAsync(other);
        await _client.SendHeartbeatAsync(id, new Heartbeat { InstanceUuid = uuid, Metrics = new Dictionary<string, object?> { ["active_connections"] = 5 } });

        (await Eventually.TrueAsync(() => !received.IsEmpty)).Should().BeTrue();
        var heartbeat = received.Should().ContainSingle().Subject;
        heartbeat.ComponentId.Should().Be(id);
        heartbeat.InstanceUuid.Should().Be(uuid);
        heartbeat.Status.Should().Be(ComponentStates.Registered);
        heartbeat.Metrics["active_connections"].GetInt32().Should().Be(5);
        subscription.LastSequence.Should().Be(heartbeat.Sequence);
        subscription.IsConnected.Should().BeTrue();

        await subscription.UnsubscribeAsync();
        await _client.SendHeartbeatAsync(id);
        var probe = new ConcurrentQueue<HeartbeatEvent>();
        await using (await _client.SubscribeToHeartbeatsAsync(id, probe.Enqueue, new SubscriptionOptions { SinceSequence = heartbeat.Sequence }))
        {
            (await Eventually.TrueAsync(() => !probe.IsEmpty)).Should().BeTrue("the heartbeat after the unsubscribe was sent, and replays");
        }

        received.Should().ContainSingle("nothing arrives after UnsubscribeAsync");
    }

    [Fact]
    public async Task State_subscribers_receive_transitions_in_sequence_order_filtered_by_type_and_id()
    {
        var id = SharedServer.Id("st");
        var type = "t" + Guid.NewGuid().ToString("N")[..10];
        var received = new ConcurrentQueue<StateChangeEvent>();
        await using var subscription = await _client.SubscribeToStateChangesAsync([type], received.Enqueue);

        var (_, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration(id, "State", type, "1.0.0"));
        await _client.RegisterComponentAsync(new ComponentRegistration(SharedServer.Id("st-other"), "Other type", "service", "1.0.0"));
        await _client.MarkReadyAsync(id, uuid, "warmed up");

        (await Eventually.TrueAsync(() => received.Count >= 2)).Should().BeTrue();
        var events = received.ToList();
        events.Should().OnlyContain(e => e.ComponentId == id);
        events.Select(e => (e.PreviousState, e.NewState)).Should().Equal(("unregistered", "registered"), ("registered", "ready"));
        events.Select(e => e.Sequence).Should().BeInAscendingOrder();
        events[1].Metadata["reason"].GetString().Should().Be("warmed up");
        events[1].Metadata["instance_uuid"].GetString().Should().Be(uuid.ToString());
    }

    [Fact]
    public async Task A_refused_subscription_throws_with_the_code()
    {
        var refused = await FluentActions.Awaiting(() => _client.SubscribeToStateChangesAsync([], _ => { }))
            .Should().ThrowAsync<TektonApiException>();

        refused.Which.Code.Should().Be(1000);
    }

    [Fact]
    public async Task A_handler_that_throws_does_not_end_the_subscription()
    {
        var id = SharedServer.Id("throws");
        var errors = new ConcurrentQueue<Exception>();
        var delivered = new ConcurrentQueue<long>();
        await using var subscription = await _client.SubscribeToHeartbeatsAsync(
            id, e => { delivered.Enqueue(e.Sequence); throw new InvalidOperationException("handler failed"); },
            new SubscriptionOptions { OnHandlerError = errors.Enqueue });
        await _client.RegisterComponentAsync(new ComponentRegistration(id, "Throws", "service", "1.0.0"));

        await _client.SendHeartbeatAsync(id);
        await _client.SendHeartbeatAsync(id);

        (await Eventually.TrueAsync(() => delivered.Count == 2)).Should().BeTrue();
        errors.Should().HaveCount(2);
        subscription.IsConnected.Should().BeTrue();
    }
}

/// <summary>A subscription outlives a crash of Tekton: it reconnects and resumes by sequence.</summary>
public sealed class SubscriptionRestartTests
{
    [Fact]
    public async Task State_subscriptions_survive_a_server_restart_with_no_lost_or_repeated_event()
    {
        await using var server = await TektonServerProcess.StartAsync();
        using var client = server.Client();
        var received = new ConcurrentQueue<StateChangeEvent>();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeToStateChangesAsync(
            ["all"], received.Enqueue, options: new SubscriptionOptions { OnReconnected = () => reconnected.TrySetResult() });
        await client.RegisterComponentAsync(new ComponentRegistration("before", "Before", "service", "1.0.0"));
        (await Eventually.TrueAsync(() => received.Any(e => e.ComponentId == "before"))).Should().BeTrue();

        await server.KillAsync();
        (await Eventually.TrueAsync(() => !subscription.IsConnected)).Should().BeTrue();
        await server.RestartAsync();
        // Written as soon as Tekton is back, most likely before the subscription (backing off) has reconnected.
        var during = await client.RegisterComponentAsync(new ComponentRegistration("during", "During", "service", "1.0.0"));
        await client.MarkReadyAsync("during", during.InstanceUuid);
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await client.RegisterComponentAsync(new ComponentRegistration("after", "After", "service", "1.0.0"));

        (await Eventually.TrueAsync(() => received.Any(e => e.ComponentId == "after"), TimeSpan.FromSeconds(15))).Should().BeTrue();
        var events = received.ToList();
        events.Select(e => e.Sequence).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        events.Select(e => (e.ComponentId, e.NewState)).Should().Equal(
            ("before", "registered"), ("during", "registered"), ("during", "ready"), ("after", "registered"));
        subscription.Reconnects.Should().BeGreaterThanOrEqualTo(1);
    }
}
