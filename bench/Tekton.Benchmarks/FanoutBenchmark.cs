using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Tekton.Benchmarks;

/// <summary>
/// Event fan-out: SUBSCRIBERS connections (raw WebSockets or SignalR) follow one component while heartbeats
/// are posted at a fixed RATE for SECONDS, open loop (the sender never waits for an answer before the next).
/// Each heartbeat carries its send time; every subscriber records when it arrived, so the report has delivery
/// latency (post sent → event received) and loss (events expected but never received).
/// </summary>
public static class FanoutBenchmark
{
    private const string Component = "bench-fanout";
    private static readonly byte[] SentMarker = "\"sent\":"u8.ToArray();

    public static async Task<int> RunAsync(Uri baseUrl, string transport, int subscribers, int rate, double seconds)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        using (var register = await http.PostAsync("/api/tekton/components", Json(
            $$"""{"component_id":"{{Component}}","component_name":"Fan-out","component_type":"service","version":"1.0.0"}""")))
        {
            register.EnsureSuccessStatusCode();
        }

        var received = new List<double>[subscribers];
        var closers = new List<Func<Task>>(subscribers);
        for (var i = 0; i < subscribers; i++)
        {
            var latencies = received[i] = new List<double>((int)(rate * seconds) + 16);
            closers.Add(transport == "signalr"
                ? await SubscribeHubAsync(baseUrl, latencies)
                : await SubscribeSocketAsync(baseUrl, latencies));
        }

        // Warm-up heartbeats, not counted.
        for (var i = 0; i < 20; i++)
        {
            using var warm = await http.PostAsync($"/api/tekton/components/{Component}/heartbeat", Json("""{"metrics":{"sent":0}}"""));
        }

        await Task.Delay(1000);
        foreach (var latencies in received)
        {
            lock (latencies)
            {
                latencies.Clear();
            }
        }

        var total = (int)(rate * seconds);
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var posts = new List<Task>(total);
        var errors = 0;
        for (var n = 0; n < total; n++)
        {
            var due = start + (n * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                await Task.Delay(wait > TimeSpan.FromMilliseconds(2) ? wait - TimeSpan.FromMilliseconds(1) : TimeSpan.Zero);
            }

            posts.Add(PostAsync(http, () => Interlocked.Increment(ref errors)));
        }

        await Task.WhenAll(posts);
        await Task.Delay(2000); // let the last events arrive
        foreach (var close in closers)
        {
            await close();
        }

        var all = received.SelectMany(l => l).ToList();
        all.Sort();
        var expected = (long)total * subscribers;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"fanout","transport":"{{transport}}","subscribers":{{subscribers}},"rate":{{rate}},"seconds":{{seconds}},"published":{{total}},"expected":{{expected}},"delivered":{{all.Count}},"loss_percent":{{100.0 * (expected - all.Count) / expected:F3}},"errors":{{errors}},"p50_ms":{{GraphBenchmark.Percentile(all, 0.5):F2}},"p99_ms":{{GraphBenchmark.Percentile(all, 0.99):F2}},"max_ms":{{(all.Count > 0 ? all[^1] : 0):F2}}}"""));
        return errors == 0 ? 0 : 1;
    }

    private static async Task PostAsync(HttpClient http, Action failed)
    {
        var body = $$$"""{"metrics":{"sent":{{{Stopwatch.GetTimestamp()}}}}}""";
        using var response = await http.PostAsync($"/api/tekton/components/{Component}/heartbeat", Json(body));
        if (!response.IsSuccessStatusCode)
        {
            failed();
        }
    }

    private static async Task<Func<Task>> SubscribeSocketAsync(Uri baseUrl, List<double> latencies)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(baseUrl) { Scheme = "ws", Path = "/ws/tekton/heartbeat" }.Uri, CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"action":"subscribe","component_id":"{{Component}}"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var loop = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    Record(buffer.AsSpan(0, result.Count), latencies);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                // Aborted at the end of the run.
            }
        });
        return async () =>
        {
            socket.Abort();
            await loop;
            socket.Dispose();
        };
    }

    private static async Task<Func<Task>> SubscribeHubAsync(Uri baseUrl, List<double> latencies)
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(baseUrl, "/hubs/tekton"), o =>
            {
                o.SkipNegotiation = true;
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
            })
            .Build();
        hub.On<JsonElement>("heartbeat", e =>
        {
            var sent = e.GetProperty("metrics").GetProperty("sent").GetInt64();
            if (sent > 0)
            {
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            }
        });
        await hub.StartAsync();
        await hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", Component);
        return () => hub.DisposeAsync().AsTask();
    }

    private static void Record(ReadOnlySpan<byte> message, List<double> latencies)
    {
        var at = message.IndexOf(SentMarker);
        if (at < 0)
        {
            return;
        }

        if (Utf8Parser.TryParse(message[(at + SentMarker.Length)..], out long sent, out _) && sent > 0)
        {
            var latency = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            lock (latencies)
            {
                latencies.Add(latency);
            }
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
