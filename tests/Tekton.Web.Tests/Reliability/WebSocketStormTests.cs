using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, faults: 1,000 event-socket connections that end every way a client can end them (a clean close after
/// subscribing, an abort mid-subscribe, a request cut off mid-handshake, an upgrade never read, a cancelled
/// connect) leak nothing: the server's subscribers and open file descriptors return to their baseline, and a new
/// subscriber still gets events.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed partial class WebSocketStormTests
{
    private const int Connections = 1_000;
    private const int Parallel = 32;

    [Fact]
    public async Task A_storm_of_1000_websocket_connects_and_disconnects_leaks_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-storm-").FullName;
        try
        {
            await using var tekton = await TektonProcess.StartAsync(
                Path.Combine(directory, "tekton.db"), "--Tekton:Events:CloseTimeoutSeconds=1", "--Tekton:Events:KeepAliveSeconds=1");
            using var http = new HttpClient { BaseAddress = tekton.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            (await http.PostAsync("/api/tekton/components", Json("""{"component_id":"storm","component_name":"storm","component_type":"service","version":"1.0.0"}""")))
                .EnsureSuccessStatusCode();

            // Warm up every path once, so that the baseline holds what the server keeps anyway (pools, timers).
            for (var i = 0; i < 5 * Parallel; i++)
            {
                await EndOneAsync(tekton.BaseAddress, i);
            }

            await SettleAsync(http, tekton.Pid, subscribers: 0);
            var baseline = OpenDescriptors(tekton.Pid);

            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(Parallel);
            var storm = Enumerable.Range(0, Connections).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await EndOneAsync(tekton.BaseAddress, i);
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(storm);
            var stormTime = watch.Elapsed;

            await SettleAsync(http, tekton.Pid, subscribers: 0, descriptors: baseline + 8);
            (await SubscribersAsync(http)).Should().Be(0, "every connection detached from the event bus");
            OpenDescriptors(tekton.Pid).Should().BeLessThanOrEqualTo(baseline + 8, $"sockets are closed (baseline {baseline}; the storm took {stormTime.TotalSeconds:0.0} s)");

            await using var socket = await ConnectAsync(tekton.BaseAddress, "/ws/tekton/state", CancellationToken.None);
            await socket.SendAsync("""{"action":"subscribe","component_types":["all"]}""");
            await socket.ExpectAsync("subscribed");
            (await SubscribersAsync(http)).Should().Be(1, "the gauge counts a live subscriber (and so reads 0 above for a reason)");
            (await http.PostAsync("/api/tekton/components", Json("""{"component_id":"after","component_name":"after","component_type":"service","version":"1.0.0"}""")))
                .EnsureSuccessStatusCode();
            (await socket.ExpectAsync("state_change"))["component_id"]!.GetValue<string>().Should().Be("after");
            tekton.HasExited.Should().BeFalse();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Opens one connection and ends it in one of five ways, chosen by <paramref name="i"/>.</summary>
    private static async Task EndOneAsync(Uri server, int i)
    {
        var path = i % 2 == 0 ? "/ws/tekton/state" : "/ws/tekton/heartbeat";
        var subscribe = i % 2 == 0 ? """{"action":"subscribe","component_types":["all"]}""" : """{"action":"subscribe","component_id":"all"}""";
        try
        {
            switch (i % 5)
            {
                case 0:
                    await using (var socket = await ConnectAsync(server, path, CancellationToken.None))
                    {
                        await socket.SendAsync(subscribe);
                        await socket.ExpectAsync("subscribed");
                    }

                    break;
                case 1:
                    using (var socket = new ClientWebSocket())
                    {
                        await socket.ConnectAsync(SocketUri(server, path), CancellationToken.None);
                        await socket.SendAsync(Encoding.UTF8.GetBytes(subscribe), WebSocketMessageType.Text, true, CancellationToken.None);
                        socket.Abort();
                    }

                    break;
                case 2:
                    await RawUpgradeAsync(server, path, complete: false);
                    break;
                case 3:
                    await RawUpgradeAsync(server, path, complete: true);
                    break;
                default:
                    using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(i % 3)))
                    using (var socket = new ClientWebSocket())
                    {
                        await socket.ConnectAsync(SocketUri(server, path), cancel.Token);
                        socket.Abort();
                    }

                    break;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or IOException or SocketException)
        {
            // Ending a connection mid-way is the point; the client's own error does not matter.
        }
    }

    /// <summary>Sends an upgrade request (cut off before its end, or whole) and closes without reading the answer.</summary>
    private static async Task RawUpgradeAsync(Uri server, string path, bool complete)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var request = $"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + (complete ? "\r\n" : string.Empty);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request));
        client.Client.Shutdown(SocketShutdown.Both);
    }

    private static async Task<EventSocket> ConnectAsync(Uri server, string path, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(SocketUri(server, path), timeout.Token);
        return EventSocket.Wrap(socket);
    }

    private static Uri SocketUri(Uri server, string path) => new UriBuilder(server) { Scheme = "ws", Path = path }.Uri;

    /// <summary>Waits (at most 15 s) until the server holds no more than these subscribers and descriptors.</summary>
    private static async Task SettleAsync(HttpClient http, int pid, int subscribers, int? descriptors = null) =>
        await Processes.EventuallyAsync(
            async () => await SubscribersAsync(http) <= subscribers && (descriptors is null || OpenDescriptors(pid) <= descriptors),
            TimeSpan.FromSeconds(15));

    private static async Task<int> SubscribersAsync(HttpClient http)
    {
        var metrics = await http.GetStringAsync("/metrics");
        var match = SubscribersLine().Match(metrics);
        return match.Success ? (int)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [GeneratedRegex("""^tekton_events_subscribers\{transport="websocket"\} (\S+)$""", RegexOptions.Multiline)]
    private static partial Regex SubscribersLine();
}
