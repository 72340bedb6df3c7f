using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Events;

/// <summary>The heartbeat and state channels over real WebSockets (design §10).</summary>
public sealed class EventSocketTests : IAsyncLifetime
{
    private const string Heartbeats = "/ws/tekton/heartbeat";
    private const string States = "/ws/tekton/state";
    private readonly string _marker = $"tekton-test-{Guid.NewGuid():N}";
    private TektonServer _server = null!;

    public async Task InitializeAsync() => _server = await TektonServer.StartAsync(new Dictionary<string, string?>
    {
        ["Tekton:Supervision:StopProcessesOnShutdown"] = "true",
        ["Tekton:Supervision:ReadyAfterSeconds"] = "0.3",
    });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Processes.KillAll(_marker);
    }

    [Fact]
    public async Task A_heartbeat_reaches_an_all_subscriber_in_the_reference_shape()
    {
        var instance = await _server.RegisterAsync("engram", type: "memory");
        await using var socket = await EventSocket.ConnectAsync(_server, Heartbeats);

        await socket.SendAsync("""{"action":"subscribe","component_id":"all"}""");
        var ack = await socket.ExpectAsync("subscribed");
        await HeartbeatAsync("engram", """{"status":"ready","metrics":{"cpu_percent":15.2,"memory_percent":12.5,"active_connections":5}}""");
        var heartbeat = await socket.ExpectAsync("heartbeat");

        ack.Select(p => p.Key).Should().BeEquivalentTo(["event", "component_id", "latest_sequence"]);
        ack["component_id"]!.GetValue<string>().Should().Be("all");
        heartbeat.Select(p => p.Key).Should().BeEquivalentTo(
            ["event", "sequence", "component_id", "instance_uuid", "timestamp", "status", "metrics"]);
        heartbeat["component_id"]!.GetValue<string>().Should().Be("engram");
        heartbeat["instance_uuid"]!.GetValue<Guid>().Should().Be(instance);
        heartbeat["status"]!.GetValue<string>().Should().Be("ready");
        heartbeat["timestamp"]!.GetValue<string>().Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$");
        heartbeat["metrics"]!.ToJsonString().Should().Be("""{"cpu_percent":15.2,"memory_percent":12.5,"active_connections":5}""");
        heartbeat["sequence"]!.GetValue<long>().Should().BeGreaterThan(ack["latest_sequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_subscription_to_one_component_gets_only_its_heartbeats_and_several_subscriptions_share_a_connection()
    {
        await _server.RegisterAsync("engram");
        await _server.RegisterAsync("hermes");
        await _server.RegisterAsync("rhetor");
        await using var socket = await EventSocket.ConnectAsync(_server, Heartbeats);
        await socket.SendAsync("""{"action":"subscribe","component_id":"engram"}""");
        await socket.ExpectAsync("subscribed");
        await socket.SendAsync("""{"action":"subscribe","component_id":"hermes"}""");
        await socket.ExpectAsync("subscribed");

        await HeartbeatAsync("rhetor");
        await HeartbeatAsync("hermes");
        await HeartbeatAsync("engram");
        var received = await socket.CollectAsync("heartbeat", 2);

        received.Select(h => h["component_id"]!.GetValue<string>()).Should().Equal("hermes", "engram");

        await socket.SendAsync("""{"action":"unsubscribe","component_id":"hermes"}""");
        var unsubscribed = await socket.ExpectAsync("unsubscribed");
        unsubscribed["removed"]!.GetValue<int>().Should().Be(1);
        await HeartbeatAsync("hermes");
        await HeartbeatAsync("engram");
        (await socket.ExpectAsync("heartbeat"))["component_id"]!.GetValue<string>().Should().Be("engram", "hermes was unsubscribed");
    }

    [Fact]
    public async Task A_component_may_send_its_heartbeat_on_the_socket()
    {
        var instance = await _server.RegisterAsync("engram");
        await using var socket = await EventSocket.ConnectAsync(_server, Heartbeats);
        await socket.SendAsync("""{"action":"subscribe","component_id":"engram"}""");
        await socket.ExpectAsync("subscribed");

        await socket.SendAsync("""{"action":"heartbeat","component_id":"engram","status":"initializing","metrics":{"queue":3}}""");
        // The heartbeat is published while it is processed, so its event comes before the answer.
        var heartbeat = await socket.ReceiveAsync();
        var received = await socket.ReceiveAsync();

        heartbeat!["event"]!.GetValue<string>().Should().Be("heartbeat");
        received!["event"]!.GetValue<string>().Should().Be("heartbeat_received");
        received["instance_uuid"]!.GetValue<Guid>().Should().Be(instance);
        received["status"]!.GetValue<string>().Should().Be("initializing");
        heartbeat["metrics"]!["queue"]!.GetValue<int>().Should().Be(3);
        var status = await _server.GetObjectAsync("/api/tekton/components/engram/status");
        status["status"]!.GetValue<string>().Should().Be("initializing");
        status["last_heartbeat"].Should().NotBeNull();

        await socket.SendAsync("""{"action":"heartbeat","component_id":"nobody"}""");
        var error = await socket.ExpectAsync("error");
        error["code"]!.GetValue<int>().Should().Be(1001);
        await socket.SendAsync("""{"action":"heartbeat","component_id":"engram","status":"sleeping"}""");
        (await socket.ExpectAsync("error"))["code"]!.GetValue<int>().Should().Be(1000);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"component_id":"all"}""")]
    [InlineData("""{"action":"dance"}""")]
    [InlineData("""{"action":"subscribe"}""")]
    [InlineData("""{"action":"subscribe","component_id":"../etc"}""")]
    [InlineData("""{"action":"subscribe","component_id":"all","colour":"red"}""")]
    [InlineData("""{"action":"subscribe","component_id":"all","since_sequence":-1}""")]
    [InlineData("""{"action":"subscribe","component_id":7}""")]
    public async Task A_bad_message_gets_an_error_1000_and_the_connection_stays_open(string message)
    {
        await using var socket = await EventSocket.ConnectAsync(_server, Heartbeats);

        await socket.SendAsync(message);
        var error = await socket.ExpectAsync("error");
        await socket.SendAsync("""{"action":"subscribe","component_id":"all"}""");

        error.Select(p => p.Key).Should().BeEquivalentTo(["event", "code", "message"]);
        error["code"]!.GetValue<int>().Should().Be(1000);
        error["message"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        (await socket.ExpectAsync("subscribed"))["component_id"]!.GetValue<string>().Should().Be("all");
    }

    [Fact]
    public async Task A_message_nested_deeper_than_32_levels_gets_an_error_1000_and_the_connection_stays_open()
    {
        await _server.RegisterAsync("engram");
        await using var socket = await EventSocket.ConnectAsync(_server, Heartbeats);
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);

        await socket.SendAsync($$"""{"action":"heartbeat","component_id":"engram","metrics":{{deep}}}""");
        var error = await socket.ExpectAsync("error");
        await socket.SendAsync("""{"action":"heartbeat","component_id":"engram","metrics":{"queue":1}}""");

        error["code"]!.GetValue<int>().Should().Be(1000);
        error["message"]!.GetValue<string>().Should().Contain("not a valid request").And.Contain("depth of 32", "the message is refused as read, before any action");
        (await socket.ExpectAsync("heartbeat_received"))["component_id"]!.GetValue<string>().Should().Be("engram");
    }

    [Fact]
    public async Task The_state_channel_reports_registration_transitions_and_deregistration_in_the_reference_shape()
    {
        await using var socket = await EventSocket.ConnectAsync(_server, States);
        await socket.SendAsync("""{"action":"subscribe","component_types":["all"]}""");
        var ack = await socket.ExpectAsync("subscribed");

        var instance = await _server.RegisterAsync("rhetor", type: "llm");
        await _server.PutJsonAsync($"/api/tekton/components/rhetor/instances/{instance}/state", """{"state":"initializing"}""");
        await _server.PutJsonAsync($"/api/tekton/components/rhetor/instances/{instance}/state", """{"state":"ready"}""");
        await _server.Client.DeleteAsync("/api/tekton/components/rhetor");
        var changes = await socket.CollectAsync("state_change", 4);

        ack["component_types"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("all");
        changes.Should().AllSatisfy(c => c.Select(p => p.Key).Should().BeEquivalentTo(
            ["event", "sequence", "component_id", "previous_state", "new_state", "timestamp", "metadata"]));
        changes.Select(c => $"{c["previous_state"]}->{c["new_state"]}").Should().Equal(
            "unregistered->registered", "registered->initializing", "initializing->ready", "ready->unregistered");
        changes.Should().AllSatisfy(c => c["component_id"]!.GetValue<string>().Should().Be("rhetor"));
        changes[0]["metadata"]!["instance_uuid"]!.GetValue<Guid>().Should().Be(instance);
        changes[0]["metadata"]!["reason"]!.GetValue<string>().Should().Be("registered");
        changes[3]["metadata"]!["reason"]!.GetValue<string>().Should().Be("deregistered");
        var sequences = changes.Select(c => c["sequence"]!.GetValue<long>()).ToList();
        sequences.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        sequences[0].Should().BeGreaterThan(ack["latest_sequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task State_subscriptions_filter_by_type_and_by_id()
    {
        await using var byType = await EventSocket.ConnectAsync(_server, States);
        await byType.SendAsync("""{"action":"subscribe","component_types":["memory","llm"]}""");
        await byType.ExpectAsync("subscribed");
        await using var byId = await EventSocket.ConnectAsync(_server, States);
        await byId.SendAsync("""{"action":"subscribe","component_types":["all"],"component_ids":["hermes"]}""");
        await byId.ExpectAsync("subscribed");

        await _server.RegisterAsync("ergon", type: "agent");
        await _server.RegisterAsync("engram", type: "memory");
        await _server.RegisterAsync("hermes", type: "messaging");
        await _server.RegisterAsync("rhetor", type: "llm");

        var typed = await byType.CollectAsync("state_change", 2);
        typed.Select(c => c["component_id"]!.GetValue<string>()).Should().Equal("engram", "rhetor");
        (await byId.ExpectAsync("state_change"))["component_id"]!.GetValue<string>().Should().Be("hermes");

        await byType.SendAsync("""{"action":"unsubscribe","component_types":["llm","memory"]}""");
        (await byType.ExpectAsync("unsubscribed"))["removed"]!.GetValue<int>().Should().Be(1);
        await byType.SendAsync("""{"action":"subscribe","component_types":["agent"]}""");
        await byType.ExpectAsync("subscribed");
        await _server.RegisterAsync("athena", type: "memory");
        await _server.RegisterAsync("prometheus", type: "agent");
        (await byType.ExpectAsync("state_change"))["component_id"]!.GetValue<string>().Should().Be("prometheus");
    }

    [Fact]
    public async Task A_supervised_instance_reports_startup_duration_when_ready_and_its_exit_code_and_restarts_when_it_fails()
    {
        await using var socket = await EventSocket.ConnectAsync(_server, States);
        await socket.SendAsync("""{"action":"subscribe","component_types":["all"],"component_ids":["flaky"]}""");
        await socket.ExpectAsync("subscribed");
        var launch = new JsonObject
        {
            ["command"] = "/bin/sh",
            ["args"] = new JsonArray("-c", $": {_marker}; sleep 1; exit 3"),
            ["restart"] = "on-failure",
            ["max_restarts"] = 1,
        };
        using var register = await _server.PostJsonAsync("/api/tekton/components",
            $$"""{"component_id":"flaky","component_name":"Flaky","component_type":"service","version":"1.0.0","launch":{{launch.ToJsonString()}}}""");
        register.StatusCode.Should().Be(HttpStatusCode.Created);

        using var start = await _server.Client.PostAsync("/api/tekton/components/flaky/start", null);
        start.StatusCode.Should().Be(HttpStatusCode.OK);
        var changes = new List<JsonObject>();
        while (changes.Count == 0 || !(changes[^1]["new_state"]!.GetValue<string>() == "failed" && changes[^1]["metadata"]!["restart_count"]?.GetValue<int>() == 1))
        {
            changes.Add(await socket.ExpectAsync("state_change", TimeSpan.FromSeconds(20)));
        }

        var ready = changes.First(c => c["new_state"]!.GetValue<string>() == "ready");
        ready["metadata"]!["startup_duration"]!.GetValue<double>().Should().BeInRange(0.2, 10);
        var failures = changes.Where(c => c["new_state"]!.GetValue<string>() == "failed").ToList();
        failures.Should().HaveCount(2, "the first run and the one restart both exit 3");
        failures.Should().AllSatisfy(f => f["metadata"]!["exit_code"]!.GetValue<int>().Should().Be(3));
        failures[0]["metadata"]!["restart_count"]!.GetValue<int>().Should().Be(0);
        changes.Select(c => c["metadata"]!["instance_uuid"]!.GetValue<Guid>()).Distinct().Should().HaveCount(1);
    }

    [Fact]
    public async Task A_reconnecting_subscriber_replays_from_its_last_sequence_with_no_gap_and_no_duplicate()
    {
        await _server.RegisterAsync("engram");
        long last;
        await using (var first = await EventSocket.ConnectAsync(_server, Heartbeats))
        {
            await first.SendAsync("""{"action":"subscribe","component_id":"engram"}""");
            await first.ExpectAsync("subscribed");
            for (var i = 0; i < 3; i++)
            {
                await HeartbeatAsync("engram", $"{{\"metrics\":{{\"n\":{i}}}}}");
            }

            last = (await first.CollectAsync("heartbeat", 3))[^1]["sequence"]!.GetValue<long>();
        }

        for (var i = 3; i < 6; i++)
        {
            await HeartbeatAsync("engram", $"{{\"metrics\":{{\"n\":{i}}}}}");
        }

        await using var second = await EventSocket.ConnectAsync(_server, Heartbeats);
        await second.SendAsync($$"""{"action":"subscribe","component_id":"engram","since_sequence":{{last}}}""");
        var ack = await second.ExpectAsync("subscribed");
        var replayed = await second.CollectAsync("heartbeat", 3);
        await HeartbeatAsync("engram", """{"metrics":{"n":6}}""");
        var live = await second.ExpectAsync("heartbeat");

        ack["replayed"]!.GetValue<int>().Should().Be(3);
        replayed.Select(h => h["metrics"]!["n"]!.GetValue<int>()).Should().Equal(3, 4, 5);
        live["metrics"]!["n"]!.GetValue<int>().Should().Be(6);
        var sequences = replayed.Append(live).Select(h => h["sequence"]!.GetValue<long>()).ToList();
        sequences.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        sequences[0].Should().BeGreaterThan(last);
    }

    [Fact]
    public async Task Subscribing_with_since_sequence_while_events_flow_misses_nothing_and_repeats_nothing()
    {
        await _server.RegisterAsync("engram");
        await using var reference = await EventSocket.ConnectAsync(_server, Heartbeats);
        await reference.SendAsync("""{"action":"subscribe","component_id":"engram"}""");
        await reference.ExpectAsync("subscribed");
        await HeartbeatAsync("engram");
        var since = (await reference.ExpectAsync("heartbeat"))["sequence"]!.GetValue<long>();

        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await HeartbeatAsync("engram");
            }
        });
        await using var late = await EventSocket.ConnectAsync(_server, Heartbeats);
        await late.SendAsync($$"""{"action":"subscribe","component_id":"engram","since_sequence":{{since}}}""");
        await publishing;

        var expected = (await reference.CollectAsync("heartbeat", 300)).Select(h => h["sequence"]!.GetValue<long>()).ToList();
        var received = (await late.CollectAsync("heartbeat", 300)).Select(h => h["sequence"]!.GetValue<long>()).ToList();
        received.Should().Equal(expected);
    }

    [Fact]
    public async Task A_replay_from_before_the_retained_window_asks_the_subscriber_to_resync_and_then_goes_live()
    {
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Events:RetainedEvents"] = "5" });
        await server.RegisterAsync("engram");
        await using var socket = await EventSocket.ConnectAsync(server, Heartbeats);
        await socket.SendAsync("""{"action":"subscribe","component_id":"engram"}""");
        await socket.ExpectAsync("subscribed");
        await server.PostJsonAsync("/api/tekton/components/engram/heartbeat", "{}");
        var first = (await socket.ExpectAsync("heartbeat"))["sequence"]!.GetValue<long>();
        for (var i = 0; i < 10; i++)
        {
            await server.PostJsonAsync("/api/tekton/components/engram/heartbeat", "{}");
        }

        await using var late = await EventSocket.ConnectAsync(server, Heartbeats);
        await late.SendAsync($$"""{"action":"subscribe","component_id":"engram","since_sequence":{{first}}}""");
        var ack = await late.ExpectAsync("subscribed");
        var resync = await late.ReceiveAsync();
        await server.PostJsonAsync("/api/tekton/components/engram/heartbeat", "{}");
        var live = await late.ReceiveAsync();

        ack["resync_required"]!.GetValue<bool>().Should().BeTrue();
        resync!["event"]!.GetValue<string>().Should().Be("resync_required");
        resync["since_sequence"]!.GetValue<long>().Should().Be(first);
        resync["oldest_sequence"]!.GetValue<long>().Should().BeGreaterThan(first + 1);
        resync["channel"]!.GetValue<string>().Should().Be("heartbeat");
        live!["event"]!.GetValue<string>().Should().Be("heartbeat");
    }

    [Fact]
    public async Task After_a_restart_state_changes_replay_from_the_database_and_sequences_keep_increasing()
    {
        await using var before = await EventSocket.ConnectAsync(_server, States);
        await before.SendAsync("""{"action":"subscribe","component_types":["all"]}""");
        await before.ExpectAsync("subscribed");
        await _server.RegisterAsync("hermes");
        await _server.RegisterAsync("engram");
        await _server.PostJsonAsync("/api/tekton/components/engram/heartbeat", "{}");
        var seen = await before.CollectAsync("state_change", 2);
        await before.DisposeAsync();

        await _server.RestartAsync();

        var since = seen[0]["sequence"]!.GetValue<long>();
        await using var after = await EventSocket.ConnectAsync(_server, States);
        await after.SendAsync($$"""{"action":"subscribe","component_types":["all"],"since_sequence":{{since}}}""");
        (await after.ExpectAsync("subscribed"))["replayed"]!.GetValue<int>().Should().Be(1);
        var replayed = await after.ExpectAsync("state_change");
        await _server.RegisterAsync("rhetor");
        var live = await after.ExpectAsync("state_change");

        replayed.ToJsonString().Should().Be(seen[1].ToJsonString(), "the replayed event is the one sent before the restart");
        live["component_id"]!.GetValue<string>().Should().Be("rhetor");
        live["sequence"]!.GetValue<long>().Should().BeGreaterThan(seen[1]["sequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_message_over_64_KiB_closes_the_socket_with_1009()
    {
        await using var socket = await EventSocket.ConnectAsync(_server, Heartbeats);

        await socket.SendAsync($$"""{"action":"subscribe","component_id":"{{new string('a', 70 * 1024)}}"}""");
        var message = await socket.ReceiveAsync();

        message.Should().BeNull("the server closes the socket");
        socket.Socket.CloseStatus.Should().Be(WebSocketCloseStatus.MessageTooBig);
    }

    [Fact]
    public async Task Connections_and_subscriptions_per_connection_are_capped()
    {
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tekton:Events:MaxConnections"] = "2",
            ["Tekton:Events:MaxSubscriptionsPerConnection"] = "2",
        });
        await using var one = await EventSocket.ConnectAsync(server, Heartbeats);
        await using var two = await EventSocket.ConnectAsync(server, States);

        var refused = () => EventSocket.ConnectAsync(server, Heartbeats, o => o.CollectHttpResponseDetails = true);
        var failure = await refused.Should().ThrowAsync<WebSocketException>();
        await one.SendAsync("""{"action":"subscribe","component_id":"a"}""");
        await one.SendAsync("""{"action":"subscribe","component_id":"b"}""");
        await one.SendAsync("""{"action":"subscribe","component_id":"c"}""");
        await one.CollectAsync("subscribed", 2);
        var error = await one.ExpectAsync("error");
        using var plain = await server.Client.GetAsync(Heartbeats);

        failure.Which.Message.Should().Contain("503");
        error["code"]!.GetValue<int>().Should().Be(1000);
        error["message"]!.GetValue<string>().Should().Contain("at most 2 subscriptions");
        plain.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await plain.ReadObjectAsync())["code"]!.GetValue<int>().Should().Be(1000);
    }

    [Fact]
    public async Task Shutting_down_closes_the_sockets_with_1001()
    {
        await using var socket = await EventSocket.ConnectAsync(_server, States);
        await socket.SendAsync("""{"action":"subscribe","component_types":["all"]}""");
        await socket.ExpectAsync("subscribed");

        var stopping = _server.StopAsync();
        var message = await socket.ReceiveAsync(TimeSpan.FromSeconds(10));
        await stopping;

        message.Should().BeNull();
        socket.Socket.CloseStatus.Should().Be(WebSocketCloseStatus.EndpointUnavailable);
        socket.Socket.CloseStatusDescription.Should().Be("server shutting down");
    }

    private async Task HeartbeatAsync(string id, string body = "{}")
    {
        using var response = await _server.PostJsonAsync($"/api/tekton/components/{id}/heartbeat", body);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
