using System.Net;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, faults: the wall clock jumps (NTP, an operator, a resumed VM) while the monotonic clock runs on.
/// Heartbeat ages and startup timeouts are measured on the monotonic clock, so a component that keeps sending
/// heartbeats stays ready through a jump forward and back, one that stops is still expired on time, and a start
/// is neither failed early nor waited for hours.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ClockJumpTests
{
    [Fact]
    public async Task A_wall_clock_jump_does_not_expire_a_component_that_keeps_sending_heartbeats()
    {
        var clock = new JumpingClock();
        await using var server = await TektonServer.StartAsync(
            new Dictionary<string, string?> { ["Tekton:Supervision:HeartbeatSweepSeconds"] = "0.1" },
            services => services.AddSingleton<TimeProvider>(clock));
        var instance = await server.RegisterAsync("steady", extra: """ "heartbeat_interval":0.5,"heartbeat_timeout":3 """);
        using (var ready = await server.PutJsonAsync($"/api/tekton/components/steady/instances/{instance}/state", """{"state":"ready","reason":"started"}"""))
        {
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        foreach (var jump in new[] { TimeSpan.FromHours(2), TimeSpan.FromHours(-4) })
        {
            await HeartbeatAsync(server);
            clock.Jump(jump);
            // A second of silence, well inside the 3 s timeout: sweeps run every 0.1 s, and a wall-clock age would expire it at the first.
            await Task.Delay(TimeSpan.FromSeconds(1));
            (await StatusAsync(server)).Should().Be(("ready", "started"), $"its last heartbeat is 1 s old, whatever the jump of {jump} says");
            for (var i = 0; i < 3; i++)
            {
                await HeartbeatAsync(server);
                await Task.Delay(TimeSpan.FromSeconds(0.5));
            }

            (await StatusAsync(server)).Should().Be(("ready", "started"), $"it kept sending heartbeats through a jump of {jump}");
        }

        (await Processes.EventuallyAsync(async () => (await StatusAsync(server)).Status == "degraded", TimeSpan.FromSeconds(10)))
            .Should().BeTrue("a component that stops sending heartbeats is still expired after the clock went back");
        (await StatusAsync(server)).Should().Be(("degraded", "heartbeat_missed"));
    }

    [Fact]
    public async Task A_wall_clock_jump_during_a_start_neither_fails_it_early_nor_stretches_its_startup_timeout()
    {
        var marker = $"tekton-jump-{Guid.NewGuid():N}";
        var clock = new JumpingClock();
        var port = FreePort();
        HttpListener? late = null;
        try
        {
            await using var server = await TektonServer.StartAsync(services: services => services.AddSingleton<TimeProvider>(clock));
            foreach (var (id, health, timeout) in new[] { ("late", port, 10), ("never", FreePort(), 2) })
            {
                await server.RegisterAsync(id, extra: $$"""
                    "host":"127.0.0.1","port":{{health}},"health_check":"/health",
                    "launch":{"command":"sh","args":["-c","sleep 60","{{marker}}"],"startup_timeout":{{timeout}},"restart":"no"}
                    """);
            }

            // Healthy 1.5 s after the start; a jump forward must not turn the wait into a startup timeout.
            using (var start = await server.Client.PostAsync("/api/tekton/components/late/start", null))
            {
                start.StatusCode.Should().Be(HttpStatusCode.OK, await start.Content.ReadAsStringAsync());
            }

            clock.Jump(TimeSpan.FromHours(2));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            late = new HttpListener();
            late.Prefixes.Add($"http://127.0.0.1:{port}/");
            late.Start();
            var answering = AnswerAsync(late);
            (await Processes.EventuallyAsync(async () => await StatusOfAsync(server, "late") != "initializing", TimeSpan.FromSeconds(10))).Should().BeTrue();
            (await StatusOfAsync(server, "late")).Should().Be("ready", "it became healthy 1.5 s into a 10 s startup timeout");

            // Never healthy: a jump back must not stretch its 2 s startup timeout by two hours.
            using (var start = await server.Client.PostAsync("/api/tekton/components/never/start", null))
            {
                start.StatusCode.Should().Be(HttpStatusCode.OK, await start.Content.ReadAsStringAsync());
            }

            clock.Jump(TimeSpan.FromHours(-4));
            (await Processes.EventuallyAsync(async () => await StatusOfAsync(server, "never") == "failed", TimeSpan.FromSeconds(10)))
                .Should().BeTrue("its startup timeout runs out 2 s after the start, whatever the wall clock does");
            late.Stop();
            await answering;
        }
        finally
        {
            late?.Close();
            Processes.KillAll(marker);
        }
    }

    private static async Task AnswerAsync(HttpListener listener)
    {
        try
        {
            while (true)
            {
                var context = await listener.GetContextAsync();
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> StatusOfAsync(TektonServer server, string id) =>
        (await server.GetObjectAsync($"/api/tekton/components/{id}"))["status"]!.GetValue<string>();

    private static async Task HeartbeatAsync(TektonServer server)
    {
        using var response = await server.PostJsonAsync("/api/tekton/components/steady/heartbeat", "{}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<(string Status, string? Reason)> StatusAsync(TektonServer server)
    {
        var details = await server.GetObjectAsync("/api/tekton/components/steady");
        return (details["status"]!.GetValue<string>(), details["instances"]![0]!["reason"]?.GetValue<string>());
    }
}
