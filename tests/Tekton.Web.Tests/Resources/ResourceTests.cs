using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Resources;

/// <summary>System and component resources cross-checked against this machine (design §8).</summary>
public sealed class ResourceTests : IAsyncLifetime
{
    private readonly string _marker = $"tekton-test-{Guid.NewGuid():N}";
    private TektonServer _server = null!;

    public async Task InitializeAsync() => _server = await TektonServer.StartAsync(new Dictionary<string, string?>
    {
        ["Tekton:Resources:SampleIntervalSeconds"] = "0.2",
        ["Tekton:Supervision:StopProcessesOnShutdown"] = "true",
    });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Processes.KillAll(_marker);
    }

    [Fact]
    public async Task System_figures_agree_with_the_machine()
    {
        var resources = await _server.GetObjectAsync("/api/tekton/resources");

        var cpu = resources["cpu"]!;
        cpu["cores"]!.GetValue<int>().Should().Be(Environment.ProcessorCount);
        cpu["per_core"]!.AsArray().Should().HaveCount(Environment.ProcessorCount);
        cpu["per_core"]!.AsArray().Select(c => c!.GetValue<double>()).Should().OnlyContain(p => p >= 0 && p <= 100);
        cpu["overall_percent"]!.GetValue<double>().Should().BeInRange(0, 100);
        cpu["load_average"]!.AsArray().Should().HaveCount(3);

        var memory = resources["memory"]!;
        var memTotalGib = MeminfoKilobytes("MemTotal") / 1024.0 / 1024.0;
        memory["total"]!.GetValue<double>().Should().BeApproximately(memTotalGib, memTotalGib * 0.01);
        (memory["used"]!.GetValue<double>() + memory["free"]!.GetValue<double>()).Should().BeApproximately(memory["total"]!.GetValue<double>(), 0.01);
        memory["percent"]!.GetValue<double>().Should().BeInRange(0, 100);
        memory["swap_total"]!.GetValue<double>().Should().BeApproximately(MeminfoKilobytes("SwapTotal") / 1024.0 / 1024.0, 0.01);

        var disk = resources["disk"]!;
        var drive = new DriveInfo(_server.DataDirectory);
        disk["total"]!.GetValue<double>().Should().BeApproximately(drive.TotalSize / Gib, drive.TotalSize / Gib * 0.01);
        disk["free"]!.GetValue<double>().Should().BeApproximately(drive.AvailableFreeSpace / Gib, 1, "the filesystem may change a little meanwhile");

        var gpus = Directory.Exists("/proc/driver/nvidia/gpus") ? Directory.GetDirectories("/proc/driver/nvidia/gpus").Length : 0;
        resources["gpu"]!.AsArray().Should().HaveCount(gpus, "no GPU gives []");
        Timestamp(resources).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_endpoint_answers_from_the_sampler_whose_samples_build_up_the_history()
    {
        var first = Timestamp(await _server.GetObjectAsync("/api/tekton/resources"));
        (await Processes.EventuallyAsync(async () => Timestamp(await _server.GetObjectAsync("/api/tekton/resources")) > first)).Should().BeTrue();
        (await Processes.EventuallyAsync(async () => (await _server.GetObjectAsync("/api/tekton/resources/history?minutes=1"))["samples"]!.AsArray().Count >= 4))
            .Should().BeTrue();

        var history = await _server.GetObjectAsync("/api/tekton/resources/history?minutes=1");
        history["minutes"]!.GetValue<int>().Should().Be(1);
        history["interval"]!.GetValue<double>().Should().Be(0.2);
        var times = history["samples"]!.AsArray().Select(s => Timestamp(s!)).ToList();
        times.Should().BeInAscendingOrder();
        // Ticks are a fixed period apart; one slow sample shortens the gap after it, so the median gap is the interval.
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).Order().ToList();
        gaps.Should().OnlyContain(gap => gap > TimeSpan.Zero);
        gaps[gaps.Count / 2].Should().BeCloseTo(TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(0.05));
        history["samples"]![0]!["memory"]!["total"]!.GetValue<double>().Should().BePositive();

        var all = await _server.GetObjectAsync("/api/tekton/resources/history");
        all["minutes"]!.GetValue<int>().Should().Be(60, "all that is kept by default");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("61")]
    [InlineData("abc")]
    [InlineData("-5")]
    public async Task History_minutes_outside_what_is_kept_is_a_clear_error(string minutes)
    {
        using var response = await _server.Client.GetAsync($"/api/tekton/resources/history?minutes={minutes}");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem.ToJsonString().Should().Contain("minutes");
    }

    [Fact]
    public async Task System_figures_are_in_metrics()
    {
        await _server.GetObjectAsync("/api/tekton/resources");
        var text = string.Empty;
        (await Processes.EventuallyAsync(async () => (text = await _server.Client.GetStringAsync("/metrics")).Contains("tekton_system_memory_bytes", StringComparison.Ordinal)))
            .Should().BeTrue();

        var total = text.Split('\n').Single(l => l.StartsWith("tekton_system_memory_bytes{state=\"total\"}", StringComparison.Ordinal));
        double.Parse(total.Split(' ')[^1], CultureInfo.InvariantCulture).Should().Be(MeminfoKilobytes("MemTotal") * 1024.0);
        text.Should().Contain("tekton_system_cpu_percent ").And.Contain("tekton_system_cpu_core_percent{core=\"0\"}")
            .And.Contain("tekton_system_load_average{period=\"15m\"}").And.Contain("tekton_system_disk_bytes{state=\"free\"}");
    }

    [Fact]
    public async Task A_supervised_process_tree_is_measured_cpu_memory_and_children_included()
    {
        // The component itself only waits; one child burns a core, another holds 200 MiB it has written to.
        const string Hold = "python3 -c 'import time; b = bytes([1]) * (200 * 1024 * 1024); time.sleep(600)'";
        await RegisterLaunchedAsync("burner", $"sh -c 'while :; do :; done' & {Hold} & wait");
        using (var start = await _server.Client.PostAsync("/api/tekton/components/burner/start?wait=true", null))
        {
            start.StatusCode.Should().Be(HttpStatusCode.OK, await start.Content.ReadAsStringAsync());
        }

        JsonObject usage = null!;
        var measured = await Processes.EventuallyAsync(async () =>
        {
            usage = await _server.GetObjectAsync("/api/tekton/components/burner/resources");
            var figures = usage["resource_usage"]!;
            return figures["cpu_percent"]?.GetValue<double>() > 50 && figures["memory"]?["rss"]?.GetValue<double>() >= 200;
        }, TimeSpan.FromSeconds(30));

        measured.Should().BeTrue(usage.ToJsonString());
        usage["component_id"]!.GetValue<string>().Should().Be("burner");
        usage["sources"]!["cpu_percent"]!.GetValue<string>().Should().Be("measured");
        usage["sources"]!["memory"]!.GetValue<string>().Should().Be("measured");
        usage["measured_at"].Should().NotBeNull();
        usage["reported_at"].Should().BeNull();
        var instance = usage["instances"]!.AsArray().Single()!;
        instance["processes"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(3, "the component, the burner and the holder");
        var memory = usage["resource_usage"]!["memory"]!;
        memory["vms"]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(memory["rss"]!.GetValue<double>());
        memory["percent"]!.GetValue<double>().Should().BeApproximately(
            memory["rss"]!.GetValue<double>() / (MeminfoKilobytes("MemTotal") / 1024.0) * 100, 0.5);
        usage["resource_usage"]!["network"].Should().BeNull("network bytes only come from reports");

        // A report fills what is not measured and leaves the measured figures as they are.
        using (var report = await _server.PostJsonAsync("/api/tekton/components/burner/resources",
            """{"cpu_percent": 1, "network": {"bytes_sent": 1024000, "bytes_recv": 2048000}}"""))
        {
            report.StatusCode.Should().Be(HttpStatusCode.OK, await report.Content.ReadAsStringAsync());
        }

        var merged = await _server.GetObjectAsync("/api/tekton/components/burner/resources");
        merged["sources"]!["network"]!.GetValue<string>().Should().Be("reported");
        merged["sources"]!["cpu_percent"]!.GetValue<string>().Should().Be("measured");
        merged["resource_usage"]!["network"]!["bytes_recv"]!.GetValue<long>().Should().Be(2048000);
        merged["resource_usage"]!["cpu_percent"]!.GetValue<double>().Should().BeGreaterThan(50);
        merged["reported_at"].Should().NotBeNull();

        using var stop = await _server.PostJsonAsync("/api/tekton/components/burner/stop", """{"force": true}""");
        stop.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Processes.EventuallyAsync(async () => (await _server.GetObjectAsync("/api/tekton/components/burner/resources"))["instances"]!.AsArray().Count == 0))
            .Should().BeTrue("a stopped instance is no longer measured");
    }

    [Fact]
    public async Task A_component_tekton_did_not_launch_shows_what_it_reports()
    {
        var instance = await _server.RegisterAsync("rhetor");
        var empty = await _server.GetObjectAsync("/api/tekton/components/rhetor/resources");
        empty["sources"]!.AsObject().Should().BeEmpty();
        empty["resource_usage"]!["cpu_percent"].Should().BeNull();

        using var report = await _server.PostJsonAsync("/api/tekton/components/rhetor/resources", $$"""
            {"instance_uuid": "{{instance}}", "cpu_percent": 25.3, "memory": {"rss": 512.0, "vms": 1024.0, "percent": 12.5},
             "gpu": {"id": 0, "memory_used": 2.1}, "network": {"bytes_sent": 1024000, "bytes_recv": 2048000},
             "disk_io": {"read_bytes": 10485760, "write_bytes": 5242880}
            }
            """);
        report.StatusCode.Should().Be(HttpStatusCode.OK, await report.Content.ReadAsStringAsync());

        var usage = await _server.GetObjectAsync("/api/tekton/components/rhetor/resources");
        var figures = usage["resource_usage"]!;
        figures["cpu_percent"]!.GetValue<double>().Should().Be(25.3);
        figures["memory"]!["rss"]!.GetValue<double>().Should().Be(512.0);
        figures["gpu"]!["memory_used"]!.GetValue<double>().Should().Be(2.1);
        figures["disk_io"]!["write_bytes"]!.GetValue<long>().Should().Be(5242880);
        usage["sources"]!.AsObject().Select(s => s.Value!.GetValue<string>()).Should().HaveCount(5).And.OnlyContain(s => s == "reported");
        usage["measured_at"].Should().BeNull();
        Timestamp(usage).Should().Be(DateTimeOffset.Parse(usage["reported_at"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("""{"cpu_percent": -1}""", "cpu_percent")]
    [InlineData("""{"memory": {"percent": 140}}""", "memory.percent")]
    [InlineData("""{"network": {"bytes_sent": -5}}""", "network.bytes_sent")]
    [InlineData("""{"disk_io": {"read_bytes": "lots"}}""", "disk_io.read_bytes")]
    [InlineData("""{"gpu": {"id": 0, "memory_used": 1, "vendor": "x"}}""", "vendor")]
    public async Task A_bad_report_is_refused_by_field_and_the_last_good_one_stays(string body, string field)
    {
        await _server.RegisterAsync("engram");
        using (var good = await _server.PostJsonAsync("/api/tekton/components/engram/resources", """{"cpu_percent": 10}"""))
        {
            good.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var response = await _server.PostJsonAsync("/api/tekton/components/engram/resources", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000);
        problem.ToJsonString().Should().Contain(field);
        (await _server.GetObjectAsync("/api/tekton/components/engram/resources"))["resource_usage"]!["cpu_percent"]!.GetValue<double>().Should().Be(10);
    }

    [Fact]
    public async Task Resources_of_an_unknown_component_or_instance_are_1001()
    {
        using (var missing = await _server.Client.GetAsync("/api/tekton/components/nobody/resources"))
        {
            await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
        }

        using (var report = await _server.PostJsonAsync("/api/tekton/components/nobody/resources", "{}"))
        {
            await report.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
        }

        await _server.RegisterAsync("hermes");
        using var foreign = await _server.PostJsonAsync("/api/tekton/components/hermes/resources", $$"""{"instance_uuid": "{{Guid.NewGuid()}}"}""");
        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1001);
    }

    [Fact]
    public async Task A_start_that_cannot_fit_is_1007_with_the_numbers_and_launches_nothing()
    {
        await RegisterLaunchedAsync("giant", "sleep 600", """ "requirements": {"min_memory_gb": 100000, "gpu_count": 64} """);
        var before = await _server.GetObjectAsync("/api/tekton/components/giant");

        using var response = await _server.Client.PostAsync("/api/tekton/components/giant/start", null);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, 1007);
        var free = (await _server.GetObjectAsync("/api/tekton/resources"))["memory"]!["free"]!.GetValue<double>();
        var unmet = problem["unmet_requirements"]!.AsArray();
        var memory = unmet.Single(u => u!["requirement"]!.GetValue<string>() == "min_memory_gb")!;
        memory["requested"]!.GetValue<double>().Should().Be(100000);
        memory["available"]!.GetValue<double>().Should().BeApproximately(free, 1);
        memory["component_id"]!.GetValue<string>().Should().Be("giant");
        var gpus = unmet.Single(u => u!["requirement"]!.GetValue<string>() == "gpu_count")!;
        gpus["requested"]!.GetValue<double>().Should().Be(64);
        problem["detail"]!.GetValue<string>().Should().Contain("100000 GiB").And.Contain("GiB is free").And.Contain("64 GPU(s)");

        var after = await _server.GetObjectAsync("/api/tekton/components/giant");
        after["instances"]!.ToJsonString().Should().Be(before["instances"]!.ToJsonString(), "nothing was launched or added");
        Processes.WithMarker(_marker).Should().BeEmpty();
    }

    [Fact]
    public async Task Memory_needed_by_a_component_and_the_dependencies_it_starts_is_summed()
    {
        var free = (await _server.GetObjectAsync("/api/tekton/resources"))["memory"]!["free"]!.GetValue<double>();
        var each = Math.Round(free * 0.6, 2).ToString(CultureInfo.InvariantCulture);
        await RegisterLaunchedAsync("store", "sleep 600", $$""" "requirements": {"min_memory_gb": {{each}}} """);
        await RegisterLaunchedAsync("model", "sleep 600", $$""" "requirements": {"min_memory_gb": {{each}}} """, ["store"]);

        using var response = await _server.Client.PostAsync("/api/tekton/components/model/start", null);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, 1007);
        problem["detail"]!.GetValue<string>().Should().Contain("'store'").And.Contain("'model'").And.Contain("together need");
        Processes.WithMarker(_marker).Should().BeEmpty();

        // Each alone fits.
        using var alone = await _server.Client.PostAsync("/api/tekton/components/store/start?wait=true", null);
        alone.StatusCode.Should().Be(HttpStatusCode.OK, await alone.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"min_memory_gb": -1}""", "requirements.min_memory_gb")]
    [InlineData("""{"min_disk_gb": 2000000}""", "requirements.min_disk_gb")]
    [InlineData("""{"gpu_count": 65}""", "requirements.gpu_count")]
    [InlineData("""{"min_gpu_memory_gb": -0.5}""", "requirements.min_gpu_memory_gb")]
    [InlineData("""{"gpu_count": "two"}""", "requirements.gpu_count")]
    [InlineData("""{"min_cpu": 4}""", "min_cpu")]
    public async Task Bad_requirements_are_a_registration_error_naming_the_field_and_nothing_is_stored(string requirements, string field)
    {
        using var response = await _server.PostJsonAsync("/api/tekton/components",
            $$"""{"component_id": "picky", "component_name": "Picky", "component_type": "service", "version": "1.0.0", "requirements": {{requirements}}}""");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1002);
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        using var missing = await _server.Client.GetAsync("/api/tekton/components/picky");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Requirements_are_kept_across_a_restart_and_a_self_registration_without_them()
    {
        await RegisterLaunchedAsync("vision", "sleep 600", """ "requirements": {"min_memory_gb": 0.5, "min_disk_gb": 1} """);
        await _server.RestartAsync();
        await _server.RegisterAsync("vision");

        var details = await _server.GetObjectAsync("/api/tekton/components/vision");
        details["requirements"]!["min_memory_gb"]!.GetValue<double>().Should().Be(0.5);
        details["requirements"]!["min_disk_gb"]!.GetValue<double>().Should().Be(1);
        details["requirements"]!["gpu_count"].Should().BeNull();

        using var start = await _server.Client.PostAsync("/api/tekton/components/vision/start?wait=true", null);
        start.StatusCode.Should().Be(HttpStatusCode.OK, "requirements that fit let the start go on");

        await _server.RegisterAsync("vision", extra: """ "requirements": {} """);
        (await _server.GetObjectAsync("/api/tekton/components/vision"))["requirements"].Should().BeNull("an empty object clears them");
    }

    private const double Gib = 1024d * 1024 * 1024;

    private Task RegisterLaunchedAsync(string id, string script, string? extra = null, string[]? dependencies = null)
    {
        var launch = new JsonObject { ["command"] = "/bin/sh", ["args"] = new JsonArray("-c", $": {_marker}; {script}") };
        return _server.RegisterAsync(id, dependencies, extra: $""" "launch":{launch.ToJsonString()}{(extra is null ? string.Empty : "," + extra)} """);
    }

    private static long MeminfoKilobytes(string field) =>
        long.Parse(File.ReadLines("/proc/meminfo").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture);

    private static DateTimeOffset Timestamp(JsonNode node) =>
        DateTimeOffset.Parse(node["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
}
