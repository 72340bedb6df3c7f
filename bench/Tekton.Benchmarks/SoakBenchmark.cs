using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Tekton.Benchmarks;

/// <summary>
/// Mixed load at fixed rates for MINUTES against a Tekton process of its own: heartbeats from 200 components,
/// state changes, deregistration and registration churn, reads, routes, live subscribers, sockets that connect and
/// leave, and a supervised process started and stopped again and again. Every SAMPLE seconds it records the server's
/// resident memory, its managed heap after a full GC it induces, its threads and its open file descriptors. The
/// first quarter of the run is warm-up; drift compares the median of the second quarter with that of the last.
/// Prints one JSON line per sample and a summary line; exits 1 when a request failed or a drift passes 5% (threads
/// and descriptors only when their late median also passes the early window's highest sample by more than 2).
/// </summary>
public static class SoakBenchmark
{
    private const int Components = 200;
    private const int Churned = 50;
    /// <summary>5%; SOAK_DRIFT_LIMIT loosens it for a run too short to tell a few hundred KiB from noise.</summary>
    private static readonly double DriftLimit =
        double.TryParse(Environment.GetEnvironmentVariable("SOAK_DRIFT_LIMIT"), NumberStyles.Float, CultureInfo.InvariantCulture, out var limit) ? limit : 0.05;

    public static async Task<int> RunAsync(string webDll, double minutes, double sampleSeconds, string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("tekton-soak-").FullName;
        await using var server = ServerProcess.Start(webDll, folder, settings);
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(120));
            var load = new Load(server.BaseUrl);
            await load.SetUpAsync();
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
            var running = load.RunAsync(stop.Token);
            var samples = new List<Sample>();
            var started = Stopwatch.GetTimestamp();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(sampleSeconds));
            while (!stop.IsCancellationRequested && await timer.WaitForNextTickAsync(CancellationToken.None))
            {
                var heap = await server.FullGcAsync();
                var sample = new Sample(
                    Stopwatch.GetElapsedTime(started).TotalSeconds, heap.Rss, heap.HeapBytes, Threads(server.Pid),
                    Directory.GetFiles($"/proc/{server.Pid}/fd").Length, load.Operations, load.Failures);
                samples.Add(sample);
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    kind = "soak-sample",
                    seconds = Math.Round(sample.Seconds, 1),
                    rss_mib = Math.Round(sample.Rss / 1048576.0, 2),
                    heap_mib = Math.Round(sample.Heap / 1048576.0, 3),
                    threads = sample.Threads,
                    fds = sample.Fds,
                    operations = sample.Operations,
                    failures = sample.Failures,
                }));
            }

            await running;
            return Summarize(samples, minutes, load);
        }
        finally
        {
            await server.StopAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int Summarize(List<Sample> samples, double minutes, Load load)
    {
        if (samples.Count < 8)
        {
            Console.Error.WriteLine($"Too few samples ({samples.Count}) to measure drift: run longer or sample more often.");
            return 1;
        }

        var quarter = samples.Count / 4;
        var early = samples.Skip(quarter).Take(quarter).ToList();
        var late = samples.Skip(samples.Count - quarter).ToList();
        var drift = new Dictionary<string, double>
        {
            ["rss"] = Drift(early, late, s => s.Rss),
            ["heap"] = Drift(early, late, s => s.Heap),
            ["threads"] = Drift(early, late, s => s.Threads),
            ["fds"] = Drift(early, late, s => s.Fds),
        };
        // Threads and descriptors are small counts that the thread pool (which adds and retires threads as it sees fit)
        // and socket churn move up and down by a few: growth is the late median above the early window's highest
        // sample, and two or fewer is not drift.
        var growth = new Dictionary<string, double>
        {
            ["threads"] = Median(late.Select(s => (double)s.Threads)) - early.Max(s => s.Threads),
            ["fds"] = Median(late.Select(s => (double)s.Fds)) - early.Max(s => s.Fds),
        };
        var passed = load.Failures == 0 && drift.All(d => d.Value <= DriftLimit || growth.GetValueOrDefault(d.Key, double.MaxValue) <= 2);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            kind = "soak",
            minutes,
            samples = samples.Count,
            operations = load.Operations,
            failures = load.Failures,
            first_failure = load.FirstFailure,
            drift_rss = Math.Round(drift["rss"], 4),
            drift_heap = Math.Round(drift["heap"], 4),
            drift_threads = Math.Round(drift["threads"], 4),
            drift_fds = Math.Round(drift["fds"], 4),
            limit = DriftLimit,
            passed,
        }));
        return passed ? 0 : 1;
    }

    /// <summary>Growth of the late window's median over the early window's, as a fraction (negative when it shrank).</summary>
    private static double Drift(List<Sample> early, List<Sample> late, Func<Sample, double> value) =>
        (Median(late.Select(value)) - Median(early.Select(value))) / Median(early.Select(value));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))[8..].Trim(), CultureInfo.InvariantCulture);

    private sealed record Sample(double Seconds, long Rss, long Heap, int Threads, int Fds, long Operations, long Failures);

    /// <summary>The mixed load: each stream runs at its own fixed rate until the run ends.</summary>
    private sealed class Load(Uri baseUrl)
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        private long _operations;
        private long _failures;

        public long Operations => Interlocked.Read(ref _operations);

        public long Failures => Interlocked.Read(ref _failures);

        public string? FirstFailure { get; private set; }

        public async Task SetUpAsync()
        {
            foreach (var tier in new[] { 1, 2, 3 })
            {
                await SendAsync(HttpMethod.Post, "/api/tekton/models", $$"""
                    {"id":"soak-model-{{tier}}","provider":"vllm","capabilities":["text_generation","summarization"],"tier":{{tier}},
                     "context_window":32768,"endpoint":"http://127.0.0.1:9/v1","priority":{{tier}},"cost_per_1k_tokens":0}
                    """);
            }

            for (var i = 0; i < Components; i++)
            {
                await RegisterAsync($"soak-{i}", i == 0 ? null : $"soak-{(i - 1) / 2}");
            }

            await SendAsync(HttpMethod.Post, "/api/tekton/components", """
                {"component_id":"soak-process","component_name":"Soak process","component_type":"service","version":"1.0.0",
                 "launch":{"command":"sleep","args":["3600"],"stop_timeout":5}}
                """);
        }

        public Task RunAsync(CancellationToken stop) => Task.WhenAll((Task[])[
            Every(TimeSpan.FromMilliseconds(25), stop, n => SendAsync(HttpMethod.Post, $"/api/tekton/components/soak-{n % Components}/heartbeat",
                $$"""{"metrics":{"cpu_percent":{{n % 100}},"memory_percent":12.5},"health":{"api":"healthy"} }""")),
            Every(TimeSpan.FromMilliseconds(100), stop, ToggleStateAsync),
            Every(TimeSpan.FromMilliseconds(500), stop, ChurnAsync),
            Every(TimeSpan.FromMilliseconds(50), stop, ReadAsync),
            Every(TimeSpan.FromMilliseconds(100), stop, _ => SendAsync(HttpMethod.Post, "/api/tekton/route",
                """{"task_type":"summarization","complexity":"medium","context_length":2000,"fallback":true}""")),
            Every(TimeSpan.FromMilliseconds(500), stop, ConnectAndLeaveAsync),
            Every(TimeSpan.FromSeconds(5), stop, StartOrStopAsync),
            .. Enumerable.Range(0, 10).Select(i => FollowAsync(i % 2 == 0 ? "/ws/tekton/state" : "/ws/tekton/heartbeat", stop))]);

        private async Task RegisterAsync(string id, string? dependency)
        {
            var dependencies = dependency is null ? string.Empty : $"\"{dependency}\"";
            await SendAsync(HttpMethod.Post, "/api/tekton/components", $$"""
                {"component_id":"{{id}}","component_name":"Soak {{id}}","component_type":"service",
                 "version":"1.0.0","capabilities":["soak"],"dependencies":[{{dependencies}}],"metadata":{"run":"soak"} }
                """, HttpStatusCode.Created, HttpStatusCode.OK);
            await SendAsync(HttpMethod.Post, $"/api/tekton/components/{id}/heartbeat", """{"status":"ready"}""");
        }

        private Task ToggleStateAsync(long n)
        {
            // Each of the first 50 components goes degraded, then ready again on its next turn.
            var id = $"soak-{n % 50}";
            var state = n / 50 % 2 == 0 ? "degraded" : "ready";
            return SendAsync(HttpMethod.Post, $"/api/tekton/components/{id}/heartbeat", $$"""{"status":"{{state}}"}""");
        }

        private async Task ChurnAsync(long n)
        {
            var id = $"soak-churn-{n % Churned}";
            if (n >= Churned)
            {
                await SendAsync(HttpMethod.Delete, $"/api/tekton/components/{id}", null);
            }

            await RegisterAsync(id, $"soak-{n % Components}");
        }

        private Task ReadAsync(long n) => (n % 5) switch
        {
            0 => SendAsync(HttpMethod.Get, "/api/tekton/components", null),
            1 => SendAsync(HttpMethod.Get, $"/api/tekton/components/soak-{n % Components}", null),
            2 => SendAsync(HttpMethod.Get, "/api/tekton/dependencies", null),
            3 => SendAsync(HttpMethod.Get, $"/api/tekton/components/soak-{n % Components}/status", null),
            _ => SendAsync(HttpMethod.Get, "/api/tekton/resources", null),
        };

        private Task StartOrStopAsync(long n) => n % 2 == 0
            ? SendAsync(HttpMethod.Post, "/api/tekton/components/soak-process/start", null)
            : SendAsync(HttpMethod.Post, "/api/tekton/components/soak-process/stop", "{}");

        /// <summary>A socket that subscribes, reads its answer, and leaves, cleanly or by dropping the connection.</summary>
        private async Task ConnectAndLeaveAsync(long n)
        {
            using var socket = new ClientWebSocket();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new UriBuilder(baseUrl) { Scheme = "ws", Path = "/ws/tekton/state" }.Uri, timeout.Token);
            await socket.SendAsync("""{"action":"subscribe","component_types":["all"]}"""u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
            var buffer = new byte[64 * 1024];
            await socket.ReceiveAsync(buffer, timeout.Token);
            if (n % 2 == 0)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            else
            {
                socket.Abort();
            }
        }

        /// <summary>A subscriber that stays for the whole run and reads everything.</summary>
        private async Task FollowAsync(string path, CancellationToken stop)
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new UriBuilder(baseUrl) { Scheme = "ws", Path = path }.Uri, stop);
            var subscribe = path.EndsWith("state", StringComparison.Ordinal)
                ? """{"action":"subscribe","component_types":["all"]}"""
                : """{"action":"subscribe","component_id":"all"}""";
            await socket.SendAsync(Encoding.UTF8.GetBytes(subscribe), WebSocketMessageType.Text, true, stop);
            var buffer = new byte[64 * 1024];
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var result = await socket.ReceiveAsync(buffer, stop);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Fail($"{path}: the server closed a subscriber ({socket.CloseStatus} {socket.CloseStatusDescription})");
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task Every(TimeSpan period, CancellationToken stop, Func<long, Task> action)
        {
            using var timer = new PeriodicTimer(period);
            for (long n = 0; await Tick(timer, stop); n++)
            {
                try
                {
                    await action(n);
                }
                catch (Exception exception) when (exception is HttpRequestException or WebSocketException or TaskCanceledException && !stop.IsCancellationRequested)
                {
                    Fail(exception.Message);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            }

            static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
            {
                try
                {
                    return await timer.WaitForNextTickAsync(stop);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }

        private async Task SendAsync(HttpMethod method, string path, string? json, params HttpStatusCode[] expected)
        {
            using var request = new HttpRequestMessage(method, path);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var response = await _http.SendAsync(request);
            Interlocked.Increment(ref _operations);
            if (expected.Length == 0 ? !response.IsSuccessStatusCode : !expected.Contains(response.StatusCode))
            {
                Fail($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        private void Fail(string what)
        {
            if (Interlocked.Increment(ref _failures) == 1)
            {
                FirstFailure = what;
            }
        }
    }
}
