using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tekton.Application.Common;
using Tekton.Application.Events;

namespace Tekton.Web.Tests.Events;

/// <summary>
/// A subscriber that stops reading is disconnected once its queue is full; the others receive everything and
/// the server's memory stays bounded (design §10).
/// </summary>
public sealed class SlowConsumerTests : IAsyncLifetime
{
    private const int Healthy = 10;
    private const int Batch = 250;
    private const long TargetBytes = 45L * 1024 * 1024;
    private TektonServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Events:RetainedEvents"] = "500" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_socket_that_never_reads_is_closed_as_a_slow_consumer_while_ten_others_receive_every_event()
    {
        var bus = _server.Services.GetRequiredService<EventBus>();
        var healthy = new List<Reader>();
        for (var i = 0; i < Healthy; i++)
        {
            healthy.Add(await Reader.StartAsync(_server));
        }

        await using var stalled = await EventSocket.ConnectAsync(_server, "/ws/tekton/heartbeat");
        await stalled.SendAsync("""{"action":"subscribe","component_id":"all"}""");
        await stalled.ExpectAsync("subscribed");
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        var (published, bytes) = await FloodAsync(bus, healthy);

        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        healthy.Should().AllSatisfy(r => r.Count.Should().Be(published, "a healthy subscriber receives 100% of the events"));
        healthy.Should().AllSatisfy(r => r.InOrder.Should().BeTrue());
        (memoryAfter - memoryBefore).Should().BeLessThan(64L * 1024 * 1024, $"{bytes / 1024 / 1024} MB of events went out, and memory must stay bounded");

        // Reading now drains what the buffers held, then the close: 1008 "slow consumer" (or a reset if the close timed out).
        var (status, description) = await DrainAsync(stalled.Socket);
        status.Should().Be(WebSocketCloseStatus.PolicyViolation);
        description.Should().Be("slow consumer");
        (await _server.Client.GetStringAsync("/metrics")).Should().MatchRegex(@"tekton_events_slow_consumers\{[^}]*transport=""websocket""[^}]*\} [1-9]");

        foreach (var reader in healthy)
        {
            await reader.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_hub_connection_that_never_reads_is_aborted_while_a_healthy_one_receives_every_event()
    {
        var bus = _server.Services.GetRequiredService<EventBus>();
        var healthy = await Reader.StartAsync(_server);

        // A SignalR client over a raw WebSocket that subscribes and then never reads.
        using var stalled = new ClientWebSocket();
        await stalled.ConnectAsync(new UriBuilder(_server.BaseAddress) { Scheme = "ws", Path = "/hubs/tekton" }.Uri, CancellationToken.None);
        await SendFrameAsync(stalled, """{"protocol":"json","version":1}""");
        await SendFrameAsync(stalled, """{"type":1,"invocationId":"1","target":"SubscribeHeartbeats","arguments":["all"]}""");
        // The raw client reads no answers; the bus says when its connection is attached. (The /metrics gauge cannot
        // say it here: the meters are the test process's, shared with the servers of the tests running beside this one.)
        (await Processes.EventuallyAsync(() => bus.SubscriberCountOver(EventSubscriber.SignalR) == 1, TimeSpan.FromSeconds(10)))
            .Should().BeTrue("the hub connection subscribes");

        var (published, _) = await FloodAsync(bus, [healthy]);

        healthy.Count.Should().Be(published);
        bus.SubscriberCountOver(EventSubscriber.SignalR).Should().Be(0, "the aborted connection is detached");
        bus.SubscriberCountOver(EventSubscriber.WebSocket).Should().Be(1, "the healthy one stays");
        (await _server.Client.GetStringAsync("/metrics")).Should().MatchRegex(@"tekton_events_slow_consumers\{[^}]*transport=""signalr""[^}]*\} 1");
        await healthy.DisposeAsync();
    }

    /// <summary>
    /// Publishes heartbeats of about 4.5 KB until more than <see cref="TargetBytes"/> went to each subscriber,
    /// in batches; waiting for the healthy subscribers after each batch paces the run without ever waiting
    /// for the stalled one. Returns how many events and bytes were published.
    /// </summary>
    private static async Task<(long Published, long Bytes)> FloodAsync(EventBus bus, IReadOnlyList<Reader> healthy)
    {
        var metrics = Metrics();
        long published = 0, bytes = 0;
        while (bytes < TargetBytes)
        {
            HeartbeatEvent e = null!;
            for (var i = 0; i < Batch; i++)
            {
                e = Heartbeat(metrics);
                bus.Publish(e);
                published++;
            }

            bytes += Batch * (long)Tekton.Web.Events.EventJson.Encode(e).Length;
            foreach (var reader in healthy)
            {
                (await reader.WaitForAsync(e.Sequence, TimeSpan.FromSeconds(30))).Should().BeTrue("a healthy subscriber keeps up");
            }
        }

        return (published, bytes);
    }

    private static async Task SendFrameAsync(ClientWebSocket socket, string json) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(json + "\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);

    private static Dictionary<string, string> Metrics() =>
        Enumerable.Range(0, 60).ToDictionary(i => $"metric_{i:00}", i => new string((char)('a' + (i % 26)), 64));

    private static HeartbeatEvent Heartbeat(Dictionary<string, string> metrics) => new()
    {
        ComponentId = "flood",
        InstanceUuid = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Status = "ready",
        Metrics = JsonText.From(JsonSerializer.SerializeToElement(metrics)),
    };

    private static async Task<(WebSocketCloseStatus? Status, string? Description)> DrainAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1024 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (socket.CloseStatus, socket.CloseStatusDescription);
                }
            }
        }
        catch (WebSocketException)
        {
            return (null, "reset");
        }
    }

    /// <summary>A subscriber that reads everything, counting events and checking their order without parsing them whole.</summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly EventSocket _socket;
        private readonly Task _loop;
        private readonly CancellationTokenSource _stop = new();
        private long _count;
        private long _last;

        private Reader(EventSocket socket)
        {
            _socket = socket;
            _loop = Task.Run(ReadAsync);
        }

        public long Count => Interlocked.Read(ref _count);

        public bool InOrder { get; private set; } = true;

        public static async Task<Reader> StartAsync(TektonServer server)
        {
            var socket = await EventSocket.ConnectAsync(server, "/ws/tekton/heartbeat");
            await socket.SendAsync("""{"action":"subscribe","component_id":"all"}""");
            await socket.ExpectAsync("subscribed");
            return new Reader(socket);
        }

        public async Task<bool> WaitForAsync(long sequence, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Interlocked.Read(ref _last) < sequence)
            {
                if (DateTime.UtcNow > deadline || _loop.IsCompleted)
                {
                    return false;
                }

                await Task.Delay(5);
            }

            return true;
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[64 * 1024];
            var marker = "\"sequence\":"u8.ToArray();
            while (!_stop.IsCancellationRequested)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.Socket.ReceiveAsync(buffer.AsMemory(count), _stop.Token);
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var span = buffer.AsSpan(0, count);
                var at = span.IndexOf(marker) + marker.Length;
                var end = span[at..].IndexOf((byte)',');
                var sequence = long.Parse(span.Slice(at, end));
                if (sequence <= Interlocked.Read(ref _last))
                {
                    InOrder = false;
                }

                Interlocked.Exchange(ref _last, sequence);
                Interlocked.Increment(ref _count);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }

            await _socket.DisposeAsync();
        }
    }
}
