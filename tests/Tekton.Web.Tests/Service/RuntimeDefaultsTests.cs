using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Tekton.Infrastructure;

namespace Tekton.Web.Tests.Service;

/// <summary>
/// Tekton chooses some runtime settings for itself unless its environment says otherwise, and keeps what it set for
/// itself out of the processes it launches (docs/operations.md): socket completions on the runtime's event threads
/// (with them the runtime runs one socket event thread per CPU instead of one for up to 30, which is what these tests
/// observe, with the CPUs fixed at two), and a shared array pool large enough that writing an event to many hub
/// connections at once costs no garbage.
/// </summary>
public sealed class RuntimeDefaultsTests : IDisposable
{
    private const string EventThreadName = ".NET Sockets";

    private readonly string _directory = Directory.CreateTempSubdirectory("tekton-sockets-").FullName;
    private readonly string _marker = $"tekton-sockets-{Guid.NewGuid():N}";

    [Fact]
    public async Task Unset_Tekton_turns_them_on_for_itself_and_not_for_what_it_launches()
    {
        // An empty value counts as unset (the runtime would not turn them on either); the launched process gets it empty.
        await using var tekton = await StartAsync(new() { [RuntimeDefaults.InlineCompletions] = "" });

        (await EventThreadsAsync(tekton)).Should().Be(2, "inline completions run one event thread per CPU");
        (await LaunchedSeesAsync(tekton, RuntimeDefaults.InlineCompletions)).Should().BeEmpty("the value Tekton set for itself is not passed on");
    }

    [Fact]
    public async Task Without_the_variable_the_launched_process_has_none_either()
    {
        Environment.GetEnvironmentVariable(RuntimeDefaults.InlineCompletions).Should().BeNull(
            "this test starts Tekton with the test process's environment, which must not set the variable");
        Environment.GetEnvironmentVariable(RuntimeDefaults.PooledArraysPerCpu).Should().BeNull();
        await using var tekton = await StartAsync([]);

        (await EventThreadsAsync(tekton)).Should().Be(2);
        (await LaunchedSeesAsync(tekton, RuntimeDefaults.InlineCompletions, RuntimeDefaults.PooledArraysPerCpu)).Should().Be("unset unset");
    }

    [Fact]
    public async Task The_operators_setting_wins_and_is_passed_on()
    {
        await using var tekton = await StartAsync(new() { [RuntimeDefaults.InlineCompletions] = "0", [RuntimeDefaults.PooledArraysPerCpu] = "64" });

        (await EventThreadsAsync(tekton)).Should().Be(1, "with them off the runtime runs one event thread for up to 30 CPUs");
        (await LaunchedSeesAsync(tekton, RuntimeDefaults.InlineCompletions, RuntimeDefaults.PooledArraysPerCpu))
            .Should().Be("0 64", "what Tekton was given, its processes are given");
    }

    /// <summary>
    /// Each hub connection's outgoing pipe rents a 4 KiB buffer for each message and returns it once sent; with the
    /// runtime's default pool (32 arrays per CPU) most of the buffers out at once for an event written to hundreds of
    /// connections are new arrays, about 2.7 KB of garbage per delivery here (measured by starting Tekton with the
    /// variable at 32).
    /// </summary>
    [Fact]
    public async Task Events_written_to_many_hub_connections_at_once_allocate_no_buffer_per_delivery()
    {
        const int connections = 400;
        const int events = 20;
        await using var tekton = await StartAsync([]);
        using var client = new HttpClient { BaseAddress = tekton.BaseAddress };
        using (var registered = await client.PostAsJsonAsync("/api/tekton/components", new JsonObject
        {
            ["component_id"] = "fanned",
            ["component_name"] = "Fanned",
            ["component_type"] = "service",
            ["version"] = "1.0.0",
        }))
        {
            registered.StatusCode.Should().Be(HttpStatusCode.Created);
        }

        var delivered = 0;
        var hubs = new List<HubConnection>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var hub = new HubConnectionBuilder().WithUrl(new Uri(tekton.BaseAddress, "/hubs/tekton")).Build();
                hub.On<JsonElement>("heartbeat", _ => Interlocked.Increment(ref delivered));
                hubs.Add(hub);
                await hub.StartAsync();
                await hub.InvokeAsync<JsonElement>("SubscribeHeartbeats", "fanned");
            }

            // The first events run the fan-out's code for the first time; the measured ones come after.
            await HeartbeatsAsync(client, 5);
            (await Processes.EventuallyAsync(() => Volatile.Read(ref delivered) == 5 * connections, TimeSpan.FromSeconds(30)))
                .Should().BeTrue("every connection receives every event");
            var before = await AllocatedBytesAsync(client);
            await HeartbeatsAsync(client, events);
            (await Processes.EventuallyAsync(() => Volatile.Read(ref delivered) == (5 + events) * connections, TimeSpan.FromSeconds(30)))
                .Should().BeTrue("every connection receives every event");
            var perDelivery = (await AllocatedBytesAsync(client) - before) / (events * connections);

            perDelivery.Should().BeLessThan(1024, "a delivery's buffer comes back to the pool, not from the heap");
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        Processes.KillAll(_marker);
        Directory.Delete(_directory, recursive: true);
    }

    private Task<TektonProcess> StartAsync(Dictionary<string, string> environment)
    {
        environment["DOTNET_PROCESSOR_COUNT"] = "2";
        return TektonProcess.StartAsync(Path.Combine(_directory, "tekton.db"), environment);
    }

    /// <summary>After a request, so the runtime has made its event threads (at the first socket that waits).</summary>
    private static async Task<int> EventThreadsAsync(TektonProcess tekton)
    {
        using var client = new HttpClient { BaseAddress = tekton.BaseAddress };
        using var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        return Directory.EnumerateDirectories($"/proc/{tekton.Pid}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == EventThreadName);
    }

    private static async Task HeartbeatsAsync(HttpClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var answer = await client.PostAsync("/api/tekton/components/fanned/heartbeat", new StringContent("{}", Encoding.UTF8, "application/json"));
            answer.StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    /// <summary>The bytes Tekton allocated since it started, from its own metrics.</summary>
    private static async Task<double> AllocatedBytesAsync(HttpClient client)
    {
        const string series = "system_runtime_dotnet_gc_heap_total_allocated ";
        var line = (await client.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith(series, StringComparison.Ordinal));
        return double.Parse(line[series.Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The variables as a launched process finds them in its environment, separated by spaces ("unset" for one
    /// that is not there).
    /// </summary>
    private async Task<string> LaunchedSeesAsync(TektonProcess tekton, params string[] variables)
    {
        var seen = Path.Combine(_directory, "seen");
        var definition = new JsonObject
        {
            ["component_id"] = "probe",
            ["component_name"] = "Probe",
            ["component_type"] = "service",
            ["version"] = "1.0.0",
            ["launch"] = new JsonObject
            {
                ["command"] = "/bin/sh",
                ["args"] = new JsonArray(
                    "-c",
                    $": {_marker}; printf '%s' \"{string.Join(' ', variables.Select(v => $"${{{v}-unset}}"))}\" > {seen}.part && mv {seen}.part {seen}; while true; do sleep 0.2; done"),
            },
        };
        using var client = new HttpClient { BaseAddress = tekton.BaseAddress };
        using (var registered = await client.PostAsJsonAsync("/api/tekton/components", definition))
        {
            registered.StatusCode.Should().Be(HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        }

        using (var started = await client.PostAsync("/api/tekton/components/probe/start", null))
        {
            started.IsSuccessStatusCode.Should().BeTrue(await started.Content.ReadAsStringAsync());
        }

        (await Processes.EventuallyAsync(() => File.Exists(seen), TimeSpan.FromSeconds(20))).Should().BeTrue("the process starts");
        return await File.ReadAllTextAsync(seen);
    }
}
