using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Tekton.Web.Tests.Events;

/// <summary>The SignalR hub at /hubs/tekton, through the real SignalR client (design §10).</summary>
public sealed class HubTests : IAsyncLifetime
{
    private TektonServer _server = null!;
    private HubConnection _hub = null!;
    private readonly Channel<JsonElement> _heartbeats = Channel.CreateUnbounded<JsonElement>();
    private readonly Channel<JsonElement> _stateChanges = Channel.CreateUnbounded<JsonElement>();
    private readonly Channel<JsonElement> _resyncs = Channel.CreateUnbounded<JsonElement>();

    public async Task InitializeAsync()
    {
        _server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Events:RetainedEvents"] = "20" });
        _hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "/hubs/tekton")).Build();
        _hub.On<JsonElement>("heartbeat", e => _heartbeats.Writer.TryWrite(e));
        _hub.On<JsonElement>("state_change", e => _stateChanges.Writer.TryWrite(e));
        _hub.On<JsonElement>("resync_required", e => _resyncs.Writer.TryWrite(e));
        await _hub.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_heartbeat_arrives_through_the_hub_with_the_same_payload_as_on_the_socket()
    {
        await _server.RegisterAsync("engram", type: "memory");
        await using var socket = await EventSocket.ConnectAsync(_server, "/ws/tekton/heartbeat");
        await socket.SendAsync("""{"action":"subscribe","component_id":"engram"}""");
        await socket.ExpectAsync("subscribed");

        var ack = await _hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", "engram");
        await Heartbeat("engram", """{"status":"ready","metrics":{"cpu_percent":15.2}}""");
        var fromHub = await Next(_heartbeats);
        var fromSocket = await socket.ExpectAsync("heartbeat");

        ack.GetProperty("event").GetString().Should().Be("subscribed");
        ack.GetProperty("component_id").GetString().Should().Be("engram");
        fromHub.GetRawText().Should().Be(fromSocket.ToJsonString());
        fromHub.GetProperty("metrics").GetProperty("cpu_percent").GetDouble().Should().Be(15.2);
    }

    [Fact]
    public async Task State_changes_arrive_filtered_by_type_or_by_id_and_stop_after_unsubscribing()
    {
        await _hub.InvokeAsync<JsonElement>("SubscribeStateChanges", new[] { "llm" });
        await _server.RegisterAsync("engram", type: "memory");
        await _server.RegisterAsync("rhetor", type: "llm");
        var change = await Next(_stateChanges);

        change.GetProperty("event").GetString().Should().Be("state_change");
        change.GetProperty("component_id").GetString().Should().Be("rhetor");
        change.GetProperty("previous_state").GetString().Should().Be("unregistered");
        change.GetProperty("new_state").GetString().Should().Be("registered");

        var removed = await _hub.InvokeAsync<JsonElement>("UnsubscribeStateChanges", new[] { "llm" });
        removed.GetProperty("removed").GetInt32().Should().Be(1);
        await _hub.InvokeAsync<JsonElement>("SubscribeStateChangesFor", new[] { "all" }, new[] { "hermes" }, null);
        await _server.RegisterAsync("apollo", type: "llm");
        await _server.RegisterAsync("hermes", type: "messaging");
        (await Next(_stateChanges)).GetProperty("component_id").GetString().Should().Be("hermes");
    }

    [Fact]
    public async Task A_subscription_since_a_sequence_replays_first_and_one_too_old_gets_resync_required()
    {
        await _server.RegisterAsync("engram");
        await _hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", "engram");
        await Heartbeat("engram");
        var first = (await Next(_heartbeats)).GetProperty("sequence").GetInt64();
        await Heartbeat("engram");
        await Heartbeat("engram");
        var seen = new[] { await Next(_heartbeats), await Next(_heartbeats) };

        await using var other = await ConnectAsync();
        var replayed = Channel.CreateUnbounded<JsonElement>();
        other.On<JsonElement>("heartbeat", e => replayed.Writer.TryWrite(e));
        var ack = await other.InvokeAsync<JsonElement>("SubscribeHeartbeatsSince", "engram", (long?)first);

        ack.GetProperty("replayed").GetInt32().Should().Be(2);
        (await Next(replayed)).GetRawText().Should().Be(seen[0].GetRawText());
        (await Next(replayed)).GetRawText().Should().Be(seen[1].GetRawText());

        for (var i = 0; i < 25; i++)
        {
            await Heartbeat("engram");
        }

        var tooOld = await _hub.InvokeAsync<JsonElement>("SubscribeHeartbeatsSince", "all", (long?)first);
        var resync = await Next(_resyncs);
        tooOld.GetProperty("resync_required").GetBoolean().Should().BeTrue();
        resync.GetProperty("event").GetString().Should().Be("resync_required");
        resync.GetProperty("since_sequence").GetInt64().Should().Be(first);
    }

    [Fact]
    public async Task Invalid_arguments_are_refused_with_code_1000()
    {
        var badId = () => _hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", "../etc/passwd");
        var noTypes = () => _hub.InvokeAsync<JsonElement>("SubscribeStateChanges", Array.Empty<string>());
        var negative = () => _hub.InvokeAsync<JsonElement>("SubscribeHeartbeatsSince", "all", (long?)-5);

        (await badId.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("[1000]").And.Contain("component_id");
        (await noTypes.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("[1000]").And.Contain("component_types");
        (await negative.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("since_sequence");
        _hub.State.Should().Be(HubConnectionState.Connected);
    }

    [Fact]
    public async Task A_hub_message_up_to_64_KiB_is_read_and_a_larger_one_closes_the_connection()
    {
        await using var hub = await ConnectAsync();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        var underLimit = () => hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", new string('a', 60 * 1024));
        var overLimit = () => hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", new string('a', 70 * 1024));

        (await underLimit.Should().ThrowAsync<HubException>("a 60 KiB message is read, and its id refused"))
            .Which.Message.Should().Contain("[1000]");
        hub.State.Should().Be(HubConnectionState.Connected);
        await overLimit.Should().ThrowAsync<Exception>();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        hub.State.Should().Be(HubConnectionState.Disconnected);
    }

    [Fact]
    public async Task A_hub_connection_past_the_connection_cap_is_closed_and_a_freed_place_can_be_taken()
    {
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Events:MaxConnections"] = "1" });
        var socket = await EventSocket.ConnectAsync(server, "/ws/tekton/state");
        await using var refused = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/tekton")).Build();
        var closed = new TaskCompletionSource();
        refused.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        try
        {
            await refused.StartAsync();
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is not TimeoutException)
        {
            // Refused during the handshake: equally closed.
        }

        refused.State.Should().Be(HubConnectionState.Disconnected);
        await socket.DisposeAsync();
        var connections = server.Services.GetRequiredService<Tekton.Web.Events.EventConnections>();
        (await Processes.EventuallyAsync(() => connections.Open == 0, TimeSpan.FromSeconds(10))).Should().BeTrue("both connections are gone");
        await using var admitted = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/tekton")).Build();
        await admitted.StartAsync();
        (await admitted.InvokeAsync<JsonElement>("SubscribeHeartbeats", "all")).GetProperty("event").GetString().Should().Be("subscribed");
    }

    private async Task<HubConnection> ConnectAsync()
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "/hubs/tekton")).Build();
        await connection.StartAsync();
        return connection;
    }

    private async Task Heartbeat(string id, string body = "{}")
    {
        using var response = await _server.PostJsonAsync($"/api/tekton/components/{id}/heartbeat", body);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<JsonElement> Next(Channel<JsonElement> channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await channel.Reader.ReadAsync(timeout.Token);
    }
}
