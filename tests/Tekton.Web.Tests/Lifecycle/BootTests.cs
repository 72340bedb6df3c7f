using System.Net;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Lifecycle;

/// <summary>What happens when Tekton starts: re-adoption of running processes, the manifest, autostart (design §6.3).</summary>
public sealed class BootTests
{
    private readonly string _marker = $"tekton-boot-{Guid.NewGuid():N}";

    [Fact]
    public async Task Restarting_Tekton_re_adopts_a_running_process_and_launches_no_second_copy()
    {
        await using var server = await TektonServer.StartAsync();
        try
        {
            await RegisterAsync(server, "sticky", autostart: false);
            var pid = await StartAsync(server, "sticky");

            await server.RestartAsync();

            var instance = (await server.GetObjectAsync("/api/tekton/components/sticky"))["instances"]![0]!;
            instance["status"]!.GetValue<string>().Should().Be("ready");
            instance["pid"]!.GetValue<int>().Should().Be(pid);
            (await Processes.EventuallyAsync(() => Processes.WithMarker(_marker).Count != 1, TimeSpan.FromSeconds(2))).Should().BeFalse("exactly one copy runs");

            using var stop = await server.PostJsonAsync("/api/tekton/components/sticky/stop", """{"timeout":2}""");
            stop.StatusCode.Should().Be(HttpStatusCode.OK, "an adopted process is stopped like any other");
            (await Processes.EventuallyAsync(() => Processes.WithMarker(_marker).Count == 0, TimeSpan.FromSeconds(3))).Should().BeTrue();
        }
        finally
        {
            Processes.KillAll(_marker);
        }
    }

    [Fact]
    public async Task A_process_that_died_while_Tekton_was_down_is_marked_and_restarted_by_its_policy()
    {
        await using var server = await TektonServer.StartAsync();
        try
        {
            await RegisterAsync(server, "phoenix", autostart: false);
            var pid = await StartAsync(server, "phoenix");
            await server.StopAsync();
            System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
            (await Processes.EventuallyAsync(() => Processes.WithMarker(_marker).Count == 0, TimeSpan.FromSeconds(3))).Should().BeTrue();

            await server.RestartAsync();

            (await Processes.EventuallyAsync(() => Processes.WithMarker(_marker).Count == 1, TimeSpan.FromSeconds(10))).Should().BeTrue("on-failure restarts it");
            // The new process runs before its launch is recorded: wait for the record, not only for the process.
            JsonNode instance = null!;
            (await Processes.EventuallyAsync(
                async () =>
                {
                    instance = (await server.GetObjectAsync("/api/tekton/components/phoenix"))["instances"]![0]!;
                    return instance["restart_count"]!.GetValue<int>() == 1;
                },
                TimeSpan.FromSeconds(10))).Should().BeTrue("the restart is recorded");
            instance["pid"]!.GetValue<int>().Should().NotBe(pid);
            Processes.WithMarker(_marker).Should().ContainSingle();
        }
        finally
        {
            await server.StopAsync();
            Processes.KillAll(_marker);
        }
    }

    [Fact]
    public async Task Processes_ended_at_shutdown_are_recorded_stopped_and_not_restarted_at_the_next_boot()
    {
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Supervision:StopProcessesOnShutdown"] = "true" });
        try
        {
            await RegisterAsync(server, "worker", autostart: false);
            await StartAsync(server, "worker");

            await server.RestartAsync();

            (await server.GetObjectAsync("/api/tekton/components/worker"))["status"]!.GetValue<string>().Should().Be("stopped");
            (await Processes.EventuallyAsync(() => Processes.WithMarker(_marker).Count > 0, TimeSpan.FromSeconds(3))).Should().BeFalse();
        }
        finally
        {
            Processes.KillAll(_marker);
        }
    }

    [Fact]
    public async Task A_manifest_that_changes_a_components_type_stops_Tekton_with_the_manifest_named()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-manifest-").FullName;
        var manifest = Path.Combine(directory, "manifest.json");
        await File.WriteAllTextAsync(manifest, """
            {"components":[{"component_id":"x","component_name":"X","component_type":"service","version":"1.0.0"},
                           {"component_id":"x","component_name":"X","component_type":"memory","version":"1.0.0"}]}
            """);
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(Path.Combine(directory, "tekton.db"), $"--Tekton:Manifest={manifest}");

            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain("Tekton:Manifest").And.Contain("already registered with type 'service'");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_manifest_is_upserted_at_boot_and_autostart_components_start_in_order()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-manifest-").FullName;
        var manifest = Path.Combine(directory, "manifest.json");
        var components = new JsonArray(Definition("hermes", [], autostart: false), Definition("engram", ["hermes"], autostart: true));
        await File.WriteAllTextAsync(manifest, new JsonObject { ["components"] = components }.ToJsonString());
        try
        {
            await using var server = await TektonServer.StartAsync(new Dictionary<string, string?>
            {
                ["Tekton:Manifest"] = manifest,
                ["Tekton:Supervision:StopProcessesOnShutdown"] = "true",
            });

            var ready = await Processes.EventuallyAsync(
                () => server.Client.GetStringAsync("/api/tekton/components?status=ready").GetAwaiter().GetResult().Contains("engram", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15));

            ready.Should().BeTrue();
            var list = await server.GetObjectAsync("/api/tekton/components");
            list["components"]!.AsArray().Select(c => (c!["component_id"]!.GetValue<string>(), c["status"]!.GetValue<string>()))
                .Should().Equal(("hermes", "ready"), ("engram", "ready"));
            Processes.WithMarker(_marker).Should().HaveCount(2);
        }
        finally
        {
            Processes.KillAll(_marker);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_invalid_manifest_stops_Tekton_at_boot_with_the_problem_named()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-manifest-").FullName;
        var manifest = Path.Combine(directory, "manifest.json");
        await File.WriteAllTextAsync(manifest, """{"components":[{"component_id":"x","component_name":"X","component_type":"service","version":"one"}]}""");
        try
        {
            await using var tekton = await TektonProcess.RunToExitAsync(Path.Combine(directory, "tekton.db"), $"--Tekton:Manifest={manifest}");

            tekton.ExitCode.Should().NotBe(0);
            tekton.Output.Should().Contain("Tekton:Manifest").And.Contain("components[0] (x)").And.Contain("version");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private JsonObject Definition(string id, string[] dependencies, bool autostart) => new()
    {
        ["component_id"] = id,
        ["component_name"] = id,
        ["component_type"] = "service",
        ["version"] = "1.0.0",
        ["dependencies"] = new JsonArray([.. dependencies.Select(d => JsonValue.Create(d))]),
        ["autostart"] = autostart,
        ["launch"] = new JsonObject
        {
            ["command"] = "/bin/sh",
            ["args"] = new JsonArray("-c", $": {_marker}; while true; do sleep 0.2; done"),
        },
    };

    private async Task RegisterAsync(TektonServer server, string id, bool autostart)
    {
        using var response = await server.PostJsonAsync("/api/tekton/components", Definition(id, [], autostart).ToJsonString());
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }

    private static async Task<int> StartAsync(TektonServer server, string id)
    {
        using var response = await server.Client.PostAsync($"/api/tekton/components/{id}/start?wait=true", null);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await server.GetObjectAsync($"/api/tekton/components/{id}"))["instances"]![0]!["pid"]!.GetValue<int>();
    }
}
