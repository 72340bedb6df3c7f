using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tekton.Infrastructure;

namespace Tekton.Web.Tests.Service;

/// <summary>
/// Tekton runs socket completions on the runtime's event threads unless its environment says otherwise, and keeps
/// what it set for itself out of the processes it launches (docs/operations.md). With inline completions the
/// runtime runs one socket event thread per CPU instead of one for up to 30, which is what these tests observe,
/// with the CPUs fixed at two.
/// </summary>
public sealed class SocketCompletionsTests : IDisposable
{
    private const string EventThreadName = ".NET Sockets";

    private readonly string _directory = Directory.CreateTempSubdirectory("tekton-sockets-").FullName;
    private readonly string _marker = $"tekton-sockets-{Guid.NewGuid():N}";

    [Fact]
    public async Task Unset_Tekton_turns_them_on_for_itself_and_not_for_what_it_launches()
    {
        // An empty value counts as unset (the runtime would not turn them on either); the launched process gets it empty.
        await using var tekton = await StartAsync(new() { [InlineSocketCompletions.Variable] = "" });

        (await EventThreadsAsync(tekton)).Should().Be(2, "inline completions run one event thread per CPU");
        (await LaunchedSeesAsync(tekton)).Should().BeEmpty("the value Tekton set for itself is not passed on");
    }

    [Fact]
    public async Task Without_the_variable_the_launched_process_has_none_either()
    {
        Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable).Should().BeNull(
            "this test starts Tekton with the test process's environment, which must not set the variable");
        await using var tekton = await StartAsync([]);

        (await EventThreadsAsync(tekton)).Should().Be(2);
        (await LaunchedSeesAsync(tekton)).Should().Be("unset");
    }

    [Fact]
    public async Task The_operators_setting_wins_and_is_passed_on()
    {
        await using var tekton = await StartAsync(new() { [InlineSocketCompletions.Variable] = "0" });

        (await EventThreadsAsync(tekton)).Should().Be(1, "with them off the runtime runs one event thread for up to 30 CPUs");
        (await LaunchedSeesAsync(tekton)).Should().Be("0", "what Tekton was given, its processes are given");
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

    /// <summary>The variable as a launched process finds it in its environment ("unset" when it is not there).</summary>
    private async Task<string> LaunchedSeesAsync(TektonProcess tekton)
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
                    $": {_marker}; printf '%s' \"${{{InlineSocketCompletions.Variable}-unset}}\" > {seen}.part && mv {seen}.part {seen}; while true; do sleep 0.2; done"),
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
