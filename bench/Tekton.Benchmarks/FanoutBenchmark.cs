using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR.Client;

namespace Tekton.Benchmarks;

/// <summary>
/// Event fan-out: SUBSCRIBERS connections (raw WebSockets or SignalR) follow one component while heartbeats
/// are posted at a fixed RATE for SECONDS, open loop (the sender never waits for an answer before the next).
/// Each heartbeat carries its send time; every subscriber records when it arrived, so the report has delivery
/// latency (post sent → event received) and loss (events expected but never received).
/// TRANSPORT is <c>websocket</c> (<c>/ws/tekton/heartbeat</c>), <c>signalr</c> (the hub, spoken by a client of
/// the SignalR JSON protocol over a plain WebSocket: handshake, invocation, pings, and each record scanned for
/// its target and <c>metrics.sent</c> as the socket path does) or <c>signalr-client</c> (the hub through
/// <c>HubConnection</c>, whose per-message work in this one process is several times the server's and made the
/// load generator, not the server, what the measurement showed).
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

        // Warm-up, not counted: heartbeats (sent 0) at the run's rate for TEKTON_FANOUT_WARMUP_SECONDS (default 5)
        // before the subscribers connect, and for 2 s after, so that the server's code is jitted at its last tier
        // before the measurement, as on a server that has been up a while. With only 20 posts the server went on
        // compiling some 2,500 methods (about a third of a core) through the measured seconds, and under the
        // fan-out's load its tiering thread takes about 10 s to catch up. 0 sends 20 heartbeats one after the
        // other after the subscribers connect instead, as this benchmark did before.
        var warmup = double.Parse(Environment.GetEnvironmentVariable("TEKTON_FANOUT_WARMUP_SECONDS") ?? "5", CultureInfo.InvariantCulture);
        if (warmup > 0)
        {
            await PostAtRateAsync(http, rate, (int)(rate * warmup), () => { }, roundTrips: null);
        }

        var received = new Samples[subscribers];
        var closers = new List<Func<Task>>(subscribers);
        for (var i = 0; i < subscribers; i++)
        {
            var latencies = received[i] = new Samples((int)(rate * seconds) + 16);
            closers.Add(transport switch
            {
                "signalr" => await SubscribeHubProtocolAsync(baseUrl, latencies),
                "signalr-client" => await SubscribeHubAsync(baseUrl, latencies),
                _ => await SubscribeSocketAsync(baseUrl, latencies),
            });
        }

        // With TEKTON_FANOUT_DETAIL: one more socket, not counted, that reads the server's timestamp of each event,
        // to split latency into the heartbeat's way to the server and the event's way back.
        var detail = Environment.GetEnvironmentVariable("TEKTON_FANOUT_DETAIL") is not null;
        var arrivals = new Samples((int)(rate * seconds) + 16);
        var probe = detail ? await ProbeAsync(baseUrl, arrivals) : null;

        if (warmup > 0)
        {
            // Then the fan-out path, with every subscriber connected.
            await PostAtRateAsync(http, rate, 2 * rate, () => { }, roundTrips: null);
        }
        else
        {
            for (var i = 0; i < 20; i++)
            {
                using var warm = await http.PostAsync($"/api/tekton/components/{Component}/heartbeat", Json("""{"metrics":{"sent":0}}"""));
            }
        }

        await Task.Delay(1000);
        foreach (var latencies in received)
        {
            latencies.Clear();
        }

        var total = (int)(rate * seconds);
        var roundTrips = new Samples(total);
        var errors = 0;
        var start = await PostAtRateAsync(http, rate, total, () => Interlocked.Increment(ref errors), roundTrips);
        await Task.Delay(2000); // let the last events arrive
        foreach (var close in closers)
        {
            await close();
        }

        if (probe is not null)
        {
            await probe();
            // Per second of the run (by send time): how latency evolves, to tell a backlog from spikes.
            foreach (var second in received.SelectMany(l => l.Pairs()).GroupBy(p => (p.Sent - start) / Stopwatch.Frequency).OrderBy(g => g.Key))
            {
                var sorted = second.Select(p => p.Latency).Order().ToList();
                var posted = roundTrips.Pairs().Where(p => (p.Sent - start) / Stopwatch.Frequency == second.Key).Select(p => p.Latency).Order().ToList();
                var arrived = arrivals.Pairs().Where(p => (p.Sent - start) / Stopwatch.Frequency == second.Key).Select(p => p.Latency).Order().ToList();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"second {second.Key}: n {sorted.Count} p50 {GraphBenchmark.Percentile(sorted, 0.5):F1} p99 {GraphBenchmark.Percentile(sorted, 0.99):F1} max {sorted[^1]:F1}; POST round trip p50 {GraphBenchmark.Percentile(posted, 0.5):F1} max {(posted.Count > 0 ? posted[^1] : 0):F1}; sent→server timestamp p50 {GraphBenchmark.Percentile(arrived, 0.5):F1} max {(arrived.Count > 0 ? arrived[^1] : 0):F1}"));
            }
        }

        var all = received.SelectMany(l => l.Latencies).ToList();
        all.Sort();
        var expected = (long)total * subscribers;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"fanout","transport":"{{transport}}","subscribers":{{subscribers}},"rate":{{rate}},"seconds":{{seconds}},"published":{{total}},"expected":{{expected}},"delivered":{{all.Count}},"loss_percent":{{100.0 * (expected - all.Count) / expected:F3}},"errors":{{errors}},"p50_ms":{{GraphBenchmark.Percentile(all, 0.5):F2}},"p99_ms":{{GraphBenchmark.Percentile(all, 0.99):F2}},"max_ms":{{(all.Count > 0 ? all[^1] : 0):F2}}}"""));
        return errors == 0 ? 0 : 1;
    }

    /// <summary>
    /// Posts COUNT heartbeats at RATE per second, open loop, each stamped with its send time (or with 0 when no
    /// round trips are kept: warm-up); returns when all were answered, with the timestamp the first was due.
    /// </summary>
    private static async Task<long> PostAtRateAsync(HttpClient http, int rate, int count, Action failed, Samples? roundTrips)
    {
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var posts = new List<Task>(count);
        for (var n = 0; n < count; n++)
        {
            var due = start + (n * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                await Task.Delay(wait > TimeSpan.FromMilliseconds(2) ? wait - TimeSpan.FromMilliseconds(1) : TimeSpan.Zero);
            }

            posts.Add(PostAsync(http, failed, roundTrips));
        }

        await Task.WhenAll(posts);
        return start;
    }

    private static async Task PostAsync(HttpClient http, Action failed, Samples? roundTrips)
    {
        var sent = roundTrips is null ? 0 : Stopwatch.GetTimestamp();
        var body = $$$"""{"metrics":{"sent":{{{sent}}}}}""";
        using var response = await http.PostAsync($"/api/tekton/components/{Component}/heartbeat", Json(body));
        roundTrips?.Add(sent, Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        if (!response.IsSuccessStatusCode)
        {
            failed();
        }
    }

    private static async Task<Func<Task>> SubscribeSocketAsync(Uri baseUrl, Samples latencies)
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

    /// <summary>A socket that records, per heartbeat, the time from sending it to the server's timestamp on its event.</summary>
    private static async Task<Func<Task>> ProbeAsync(Uri baseUrl, Samples arrivals)
    {
        var (utc, ticks) = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
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

                    using var e = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                    if (e.RootElement.TryGetProperty("metrics", out var metrics) && metrics.TryGetProperty("sent", out var sentProperty)
                        && sentProperty.GetInt64() is > 0 and var sent)
                    {
                        var sentUtc = utc + Stopwatch.GetElapsedTime(ticks, sent);
                        arrivals.Add(sent, (e.RootElement.GetProperty("timestamp").GetDateTimeOffset() - sentUtc).TotalMilliseconds);
                    }
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

    private static async Task<Func<Task>> SubscribeHubAsync(Uri baseUrl, Samples latencies)
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(baseUrl, "/hubs/tekton"), o =>
            {
                o.SkipNegotiation = true;
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
            })
            .Build();
        // The payload is bound to SentStamp, whose converter only scans for metrics.sent: 1,000 connections'
        // worth of JsonElements (a JsonDocument per delivery) made this process the bottleneck, not the server.
        hub.On<SentStamp>("heartbeat", e =>
        {
            if (e.Sent > 0)
            {
                latencies.Add(e.Sent, Stopwatch.GetElapsedTime(e.Sent).TotalMilliseconds);
            }
        });
        await hub.StartAsync();
        await hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", Component);
        return () => hub.DisposeAsync().AsTask();
    }

    /// <summary>
    /// A hub connection spoken in the SignalR JSON protocol over a plain WebSocket: the handshake, an invocation of
    /// SubscribeHeartbeats (its completion is awaited and checked), a ping every 10 s (the server drops a client
    /// silent for 30 s), and each <c>heartbeat</c> invocation record scanned for <c>metrics.sent</c>.
    /// </summary>
    private static async Task<Func<Task>> SubscribeHubProtocolAsync(Uri baseUrl, Samples latencies)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(baseUrl) { Scheme = "ws", Path = "/hubs/tekton" }.Uri, CancellationToken.None);
        await SendRecordAsync(socket, """{"protocol":"json","version":1}""");
        var buffer = new byte[64 * 1024];
        var handshake = await ReceiveMessageAsync(socket, buffer);
        if (handshake <= 0 || !buffer.AsSpan(0, handshake).StartsWith("{}\u001e"u8))
        {
            throw new InvalidOperationException($"The hub refused the handshake: {Encoding.UTF8.GetString(buffer, 0, Math.Max(handshake, 0))}");
        }

        await SendRecordAsync(socket, $$"""{"type":1,"invocationId":"1","target":"SubscribeHeartbeats","arguments":["{{Component}}"]}""");
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var count = await ReceiveMessageAsync(socket, buffer);
                    if (count < 0)
                    {
                        return;
                    }

                    // A message holds whole records, each ended by 0x1E.
                    var message = buffer.AsSpan(0, count);
                    while (message.IndexOf((byte)0x1E) is >= 0 and var end)
                    {
                        var record = message[..end];
                        message = message[(end + 1)..];
                        if (record.IndexOf(HeartbeatTarget) >= 0)
                        {
                            Record(record, latencies);
                        }
                        else if (record.IndexOf("\"type\":3"u8) >= 0)
                        {
                            if (record.IndexOf("\"error\""u8) >= 0)
                            {
                                subscribed.TrySetException(new InvalidOperationException($"SubscribeHeartbeats failed: {Encoding.UTF8.GetString(record)}"));
                            }
                            else
                            {
                                subscribed.TrySetResult();
                            }
                        }
                        else if (record.IndexOf("\"type\":7"u8) >= 0)
                        {
                            subscribed.TrySetException(new InvalidOperationException($"The hub closed the connection: {Encoding.UTF8.GetString(record)}"));
                            return;
                        }
                    }
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                // Aborted at the end of the run.
            }
            finally
            {
                subscribed.TrySetException(new InvalidOperationException("The hub connection ended before SubscribeHeartbeats completed."));
            }
        });
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stop = new CancellationTokenSource();
        var pings = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    await SendRecordAsync(socket, """{"type":6}""");
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Stopped, or the connection is gone.
            }
        });
        return async () =>
        {
            await stop.CancelAsync();
            await pings;
            stop.Dispose();
            socket.Abort();
            await loop;
            socket.Dispose();
        };
    }

    private static readonly byte[] HeartbeatTarget = "\"target\":\"heartbeat\""u8.ToArray();

    private static Task SendRecordAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + "\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Reads one whole WebSocket message into the buffer; its length, or -1 when the server closed.</summary>
    private static async Task<int> ReceiveMessageAsync(ClientWebSocket socket, byte[] buffer)
    {
        var count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
            count += result.Count;
            if (count == buffer.Length && !result.EndOfMessage)
            {
                throw new InvalidOperationException($"A hub message exceeds {buffer.Length} bytes.");
            }
        }
        while (!result.EndOfMessage);
        return result.MessageType == WebSocketMessageType.Close ? -1 : count;
    }

    private static void Record(ReadOnlySpan<byte> message, Samples latencies)
    {
        var at = message.IndexOf(SentMarker);
        if (at < 0)
        {
            return;
        }

        if (Utf8Parser.TryParse(message[(at + SentMarker.Length)..], out long sent, out _) && sent > 0)
        {
            latencies.Add(sent, Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>One subscriber's deliveries: latency (ms) and send time (Stopwatch ticks) of each.</summary>
    private sealed class Samples(int capacity)
    {
        private readonly List<double> _latencies = new(capacity);
        private readonly List<long> _sent = new(capacity);

        public List<double> Latencies
        {
            get
            {
                lock (this)
                {
                    return [.. _latencies];
                }
            }
        }

        public void Add(long sent, double latency)
        {
            lock (this)
            {
                _latencies.Add(latency);
                _sent.Add(sent);
            }
        }

        public void Clear()
        {
            lock (this)
            {
                _latencies.Clear();
                _sent.Clear();
            }
        }

        public IEnumerable<(long Sent, double Latency)> Pairs()
        {
            lock (this)
            {
                return _sent.Zip(_latencies).ToList();
            }
        }
    }

    /// <summary>A heartbeat event read only for its <c>metrics.sent</c> (0 when it has none).</summary>
    [JsonConverter(typeof(SentStampConverter))]
    private readonly record struct SentStamp(long Sent);

    /// <summary>Walks the event's tokens without building a document, keeping <c>metrics.sent</c>.</summary>
    private sealed class SentStampConverter : JsonConverter<SentStamp>
    {
        public override SentStamp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("A heartbeat event is an object.");
            }

            var depth = reader.CurrentDepth;
            var inMetrics = false;
            long sent = 0;
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (reader.CurrentDepth == depth + 1)
                {
                    inMetrics = reader.ValueTextEquals("metrics"u8);
                }
                else if (inMetrics && reader.CurrentDepth == depth + 2 && reader.ValueTextEquals("sent"u8))
                {
                    reader.Read();
                    sent = reader.GetInt64();
                }
            }

            return new SentStamp(sent);
        }

        public override void Write(Utf8JsonWriter writer, SentStamp value, JsonSerializerOptions options) =>
            throw new NotSupportedException();
    }
}
