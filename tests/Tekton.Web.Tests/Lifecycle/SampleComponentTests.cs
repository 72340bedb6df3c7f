using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Lifecycle;

/// <summary>The sample component, launched by Tekton, does everything a supervised component should.</summary>
public sealed class SampleComponentTests : IAsyncLifetime
{
    private TektonServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Supervision:StopProcessesOnShutdown"] = "true" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Samples_start_in_order_attach_to_their_instances_heartbeat_and_stop_gracefully_on_the_shutdown_signal()
    {
        await RegisterSampleAsync("hermes", []);
        await RegisterSampleAsync("engram", ["hermes"]);

        using var started = await _server.Client.PostAsync("/api/tekton/components/engram/start?wait=true", null);
        started.StatusCode.Should().Be(HttpStatusCode.OK, await started.Content.ReadAsStringAsync());

        foreach (var id in new[] { "hermes", "engram" })
        {
            var details = await _server.GetObjectAsync($"/api/tekton/components/{id}");
            details["instances"]!.AsArray().Should().ContainSingle("the sample's registration attached to the launched instance");
            details["launch"].Should().NotBeNull("a component registering itself keeps the operator's launch spec");
            (await Processes.EventuallyAsync(() => Logs(id).Contains("ready"), TimeSpan.FromSeconds(10))).Should().BeTrue();
        }

        (await Processes.EventuallyAsync(
            () => _server.GetObjectAsync("/api/tekton/components/engram/status").GetAwaiter().GetResult()["last_heartbeat"] is not null,
            TimeSpan.FromSeconds(10))).Should().BeTrue("the sample sends heartbeats");

        var watch = Stopwatch.StartNew();
        using var stop = await _server.PostJsonAsync("/api/tekton/components/hermes/stop", """{"cascade":true,"timeout":20}""");
        watch.Stop();

        stop.StatusCode.Should().Be(HttpStatusCode.OK, await stop.Content.ReadAsStringAsync());
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the samples stop on the signal, long before SIGKILL");
        foreach (var id in new[] { "engram", "hermes" })
        {
            var instance = (await _server.GetObjectAsync($"/api/tekton/components/{id}"))["instances"]![0]!;
            instance["status"]!.GetValue<string>().Should().Be("stopped");
            Logs(id).Should().Contain(l => l == "shutdown signal received" || l == "SIGTERM received");
            (await Processes.EventuallyAsync(
                () => _server.GetObjectAsync($"/api/tekton/components/{id}").GetAwaiter().GetResult()["instances"]![0]!["exit_code"] is not null,
                TimeSpan.FromSeconds(5))).Should().BeTrue();
            (await _server.GetObjectAsync($"/api/tekton/components/{id}"))["instances"]![0]!["exit_code"]!.GetValue<int>().Should().Be(0);
        }
    }

    private async Task RegisterSampleAsync(string id, string[] dependencies)
    {
        var port = FreePort();
        var launch = new JsonObject
        {
            ["command"] = "dotnet",
            ["args"] = new JsonArray(
                Path.Combine(AppContext.BaseDirectory, "Tekton.SampleComponent.dll"), "--id", id, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--depends-on", string.Join(',', dependencies)),
            ["stop_timeout"] = 20,
        };
        await _server.RegisterAsync(id, dependencies, extra: $""" "host":"127.0.0.1","port":{port},"health_check":"/health","launch":{launch.ToJsonString()} """);
    }

    private List<string> Logs(string id) =>
        [.. _server.GetObjectAsync($"/api/tekton/components/{id}/logs?tail=100").GetAwaiter().GetResult()["lines"]!.AsArray().Select(n => n!.GetValue<string>())];

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
