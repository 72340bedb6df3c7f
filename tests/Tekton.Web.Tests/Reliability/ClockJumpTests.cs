using System.Net;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, faults: the wall clock jumps (NTP, an operator, a resumed VM) while the monotonic clock runs on.
/// Heartbeat ages are measured on the monotonic clock, so a component that keeps sending heartbeats stays ready
/// through a jump forward and back, and one that stops is still expired on time.
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
