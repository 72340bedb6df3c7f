using System.Net;
using System.Text;
using Tekton.Application.Lifecycle;

namespace Tekton.Web.Tests.Lifecycle;

/// <summary>Heartbeat expiry on a clock the test moves, and health checks against a real HTTP endpoint (design §6.2, §6.3).</summary>
public sealed class WatchingTests
{
    [Fact]
    public async Task Heartbeat_expiry_goes_ready_degraded_failed_and_back_to_ready_on_a_new_heartbeat()
    {
        var clock = new ManualClock(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        await using var server = await TektonServer.StartAsync(
            new Dictionary<string, string?> { ["Tekton:Supervision:HeartbeatSweepSeconds"] = "60" },
            services => services.AddSingleton<TimeProvider>(clock));
        await server.RegisterAsync("engram", extra: """ "heartbeat_interval":10,"heartbeat_timeout":30 """);
        await server.PostJsonAsync("/api/tekton/components/engram/heartbeat", """{"status":"ready"}""");
        var expiry = server.Services.GetRequiredService<HeartbeatExpiry>();

        clock.Advance(TimeSpan.FromSeconds(29));
        await expiry.SweepAsync(CancellationToken.None);
        (await StatusAsync(server)).Should().Be(("ready", null));

        clock.Advance(TimeSpan.FromSeconds(2));
        await expiry.SweepAsync(CancellationToken.None);
        (await StatusAsync(server)).Should().Be(("degraded", "heartbeat_missed"));

        clock.Advance(TimeSpan.FromSeconds(30));
        await expiry.SweepAsync(CancellationToken.None);
        (await StatusAsync(server)).Should().Be(("failed", "heartbeat_missed"));

        using var heartbeat = await server.PostJsonAsync("/api/tekton/components/engram/heartbeat", "{}");
        (await heartbeat.ReadObjectAsync())["status"]!.GetValue<string>().Should().Be("ready");
        (await StatusAsync(server)).Item1.Should().Be("ready");
    }

    [Fact]
    public async Task Components_that_never_sent_a_heartbeat_are_not_expired()
    {
        var clock = new ManualClock(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        await using var server = await TektonServer.StartAsync(
            new Dictionary<string, string?> { ["Tekton:Supervision:HeartbeatSweepSeconds"] = "60" },
            services => services.AddSingleton<TimeProvider>(clock));
        var instance = await server.RegisterAsync("quiet");
        await server.PutJsonAsync($"/api/tekton/components/quiet/instances/{instance}/state", """{"state":"ready"}""");

        clock.Advance(TimeSpan.FromHours(1));
        await server.Services.GetRequiredService<HeartbeatExpiry>().SweepAsync(CancellationToken.None);

        (await StatusAsync(server, "quiet")).Item1.Should().Be("ready");
    }

    [Fact]
    public async Task Health_checks_degrade_after_three_failures_fail_after_three_more_recover_on_one_success_and_fill_health_status()
    {
        await using var endpoint = new HealthEndpoint();
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Supervision:HealthCheckIntervalSeconds"] = "3600" });
        var instance = await server.RegisterAsync("engram", extra: $""" "health_check":"/health","port":{endpoint.Port},"host":"127.0.0.1" """);
        await server.PutJsonAsync($"/api/tekton/components/engram/instances/{instance}/state", """{"state":"ready"}""");
        var checks = server.Services.GetRequiredService<HealthChecks>();

        await checks.CheckAllAsync(CancellationToken.None);
        var status = await server.GetObjectAsync("/api/tekton/components/engram/status");
        status["health_status"]!["database"]!.GetValue<string>().Should().Be("healthy", "the health endpoint's JSON feeds health_status");

        endpoint.Healthy = false;
        for (var i = 0; i < 2; i++)
        {
            await checks.CheckAllAsync(CancellationToken.None);
        }

        (await StatusAsync(server, "engram")).Item1.Should().Be("ready", "two failures are not yet three");
        await checks.CheckAllAsync(CancellationToken.None);
        (await StatusAsync(server, "engram")).Should().Be(("degraded", "health_check_failed"));
        for (var i = 0; i < 3; i++)
        {
            await checks.CheckAllAsync(CancellationToken.None);
        }

        (await StatusAsync(server, "engram")).Should().Be(("failed", "health_check_failed"));

        endpoint.Healthy = true;
        await checks.CheckAllAsync(CancellationToken.None);
        (await StatusAsync(server, "engram")).Item1.Should().Be("ready");
        endpoint.Requests.Should().Be(8);
    }

    [Fact]
    public async Task A_health_check_that_hangs_does_not_hold_up_the_others()
    {
        await using var hanging = new HealthEndpoint { Hang = true };
        await using var healthy = new HealthEndpoint();
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tekton:Supervision:HealthCheckIntervalSeconds"] = "3600",
            ["Tekton:Supervision:HealthCheckTimeoutSeconds"] = "1",
        });
        foreach (var (id, port) in new[] { ("stuck", hanging.Port), ("fine", healthy.Port) })
        {
            var instance = await server.RegisterAsync(id, extra: $""" "health_check":"/health","port":{port},"host":"127.0.0.1" """);
            await server.PutJsonAsync($"/api/tekton/components/{id}/instances/{instance}/state", """{"state":"ready"}""");
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await server.Services.GetRequiredService<HealthChecks>().CheckAllAsync(CancellationToken.None);

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3), "each check has its own timeout and all run at once");
        healthy.Requests.Should().Be(1);
    }

    private static async Task<(string, string?)> StatusAsync(TektonServer server, string id = "engram")
    {
        var details = await server.GetObjectAsync($"/api/tekton/components/{id}");
        var instance = details["instances"]![0]!;
        return (details["status"]!.GetValue<string>(), instance["reason"]?.GetValue<string>() is "heartbeat_missed" or "health_check_failed" ? instance["reason"]!.GetValue<string>() : null);
    }

    /// <summary>A health endpoint on 127.0.0.1 whose answer the test chooses.</summary>
    private sealed class HealthEndpoint : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        public HealthEndpoint()
        {
            Port = FreePort();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public int Port { get; }

        public bool Healthy { get; set; } = true;

        public bool Hang { get; init; }

        public int Requests => Volatile.Read(ref _requests);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
            _listener.Close();
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                _ = Task.Run(async () =>
                {
                    if (Hang)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                        return;
                    }

                    var body = Encoding.UTF8.GetBytes(Healthy ? """{"status":"ok","database":"healthy"}""" : """{"status":"down"}""");
                    context.Response.StatusCode = Healthy ? 200 : 503;
                    context.Response.ContentType = "application/json";
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                });
            }
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
