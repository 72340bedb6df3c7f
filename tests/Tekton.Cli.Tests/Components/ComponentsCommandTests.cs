using System.Text.Json;
using System.Text.RegularExpressions;
using Tekton.Client;

namespace Tekton.Cli.Tests.Components;

[Collection(TektonCollection.Name)]
public sealed class ComponentsCommandTests(OpenTekton tekton)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task List_prints_a_row_per_component_with_type_version_status_address_and_heartbeat_age()
    {
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(new ComponentRegistration("list-a", "A", "listing", "1.0.0") { Port = 7001 });
        await client.RegisterComponentAsync(new ComponentRegistration("list-b", "B", "listing", "2.1.0") { Host = "127.0.0.1", Port = 7002 });
        await client.SendHeartbeatAsync("list-b");

        var result = await tekton.Cli.RunAsync("components", "list", "--type", "listing");

        result.ExitCode.Should().Be(0, result.ToString());
        var rows = result.OutputLines.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        rows[0].Should().Equal("ID", "TYPE", "VERSION", "STATUS", "ADDRESS", "LAST", "HEARTBEAT");
        rows[1].Should().Equal("list-a", "listing", "1.0.0", "registered", "localhost:7001", "-");
        rows[2].Take(5).Should().Equal("list-b", "listing", "2.1.0", "registered", "127.0.0.1:7002");
        rows[2][5].Should().MatchRegex(@"^\d+s$");
        rows.Should().HaveCount(3);
        result.StandardOutput.Should().NotContain("\u001b", "redirected output has no colors");
    }

    [Fact]
    public async Task List_with_json_prints_the_components_in_the_api_snake_case_shape()
    {
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(new ComponentRegistration("listed-json", "Listed", "listing-json", "1.2.3") { Port = 7003, Capabilities = ["search"] });

        var result = await tekton.Cli.RunAsync("components", "list", "--type", "listing-json", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var component = json.RootElement.GetProperty("components").EnumerateArray().Should().ContainSingle().Subject;
        component.GetProperty("component_id").GetString().Should().Be("listed-json");
        component.GetProperty("component_type").GetString().Should().Be("listing-json");
        component.GetProperty("version").GetString().Should().Be("1.2.3");
        component.GetProperty("status").GetString().Should().Be("registered");
        component.GetProperty("port").GetInt32().Should().Be(7003);
        component.GetProperty("capabilities")[0].GetString().Should().Be("search");
    }

    [Fact]
    public async Task Register_from_a_file_then_get_shows_the_definition_and_the_instance_it_created()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tekton-cli-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {"component_id": "reg-engram", "component_name": "Engram Memory Service", "component_type": "memory", "version": "1.0.0",
             "capabilities": ["memory_storage", "vector_search"], "dependencies": ["reg-hermes"], "port": 8000, "health_check": "/api/health"}
            """);
        try
        {
            var registered = await tekton.Cli.RunAsync("components", "register", "-f", file);

            registered.ExitCode.Should().Be(0, registered.ToString());
            registered.StandardOutput.Should().MatchRegex(@"^registered reg-engram \(instance [0-9a-f-]{36}\)\n$");
            registered.StandardError.Should().Contain("warning: dependencies not registered: reg-hermes");
            var instance = registered.StandardOutput.Split("instance ")[1][..36];

            var shown = await tekton.Cli.RunAsync("components", "get", "reg-engram");
            shown.ExitCode.Should().Be(0, shown.ToString());
            shown.OutputLines.Should().Contain(line => Regex.IsMatch(line, "^name +Engram Memory Service$"));
            shown.OutputLines.Should().Contain(line => Regex.IsMatch(line, "^capabilities +memory_storage, vector_search$"));
            shown.OutputLines.Should().Contain(line => Regex.IsMatch(line, "^dependencies +reg-hermes$"));
            shown.OutputLines.Should().Contain(line => Regex.IsMatch(line, $"^{instance} +registered "));

            var json = await tekton.Cli.RunAsync("components", "get", "reg-engram", "--json");
            using var details = JsonDocument.Parse(json.StandardOutput);
            details.RootElement.GetProperty("health_check").GetString().Should().Be("/api/health");
            details.RootElement.GetProperty("instances")[0].GetProperty("instance_uuid").GetString().Should().Be(instance);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Register_from_stdin_refuses_an_unknown_field_with_exit_code_2()
    {
        var result = await tekton.Cli.RunWithInputAsync(
            """{"component_id": "typo", "component_name": "T", "component_type": "service", "version": "1.0.0", "capabilites": []}""",
            "components", "register", "-f", "-");

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().StartWith("error: stdin is not a valid registration").And.Contain("capabilites");
        (await tekton.Cli.RunAsync("components", "get", "typo")).ExitCode.Should().Be(3);
    }

    [Fact]
    public async Task Start_with_wait_prints_the_dependency_then_the_component_becoming_ready_and_exits_0()
    {
        await RegisterAsync(Registrations.Launched("start-hermes", "sleep 60"));
        await RegisterAsync(Registrations.Launched("start-engram", "sleep 60", "start-hermes"));

        var result = await tekton.Cli.RunAsync("components", "start", "start-engram", "--wait");

        result.ExitCode.Should().Be(0, result.ToString());
        var lines = result.OutputLines;
        lines[0].Should().Be("start order: start-hermes, start-engram");
        string[] progress = ["start-hermes: initializing", "start-hermes: ready", "start-engram: initializing", "start-engram: ready"];
        progress.Select(line => lines.ToList().IndexOf(line)).Should().BeInAscendingOrder().And.NotContain(-1, result.ToString());
        lines[^1].Should().MatchRegex(@"^start-engram: started \(instance [0-9a-f-]{36}\)$");
        await StopAsync("start-hermes");
    }

    [Fact]
    public async Task Stop_refuses_while_dependents_run_and_with_cascade_stops_them_first()
    {
        await RegisterAsync(Registrations.Launched("stop-hermes", "sleep 60"));
        await RegisterAsync(Registrations.Launched("stop-engram", "sleep 60", "stop-hermes"));
        using var client = tekton.Server.Client();
        await client.StartComponentAsync("stop-engram", wait: true);

        var refused = await tekton.Cli.RunAsync("components", "stop", "stop-hermes");
        var stopped = await tekton.Cli.RunAsync("components", "stop", "stop-hermes", "--cascade", "--timeout", "5");

        refused.ExitCode.Should().Be(4, refused.ToString());
        refused.StandardError.Should().Contain("(code 1003)").And.Contain("running_dependents: stop-engram");
        stopped.ExitCode.Should().Be(0, stopped.ToString());
        stopped.StandardOutput.Should().Be("stop-hermes: Component stopped successfully\n");
        (await client.GetComponentStatusAsync("stop-engram")).Status.Should().Be(ComponentStates.Stopped);
        (await client.GetComponentStatusAsync("stop-hermes")).Status.Should().Be(ComponentStates.Stopped);
    }

    [Fact]
    public async Task Logs_prints_the_last_lines_the_process_wrote()
    {
        await RegisterAsync(Registrations.Launched("logs-echo", "echo hello; echo from; echo tekton; sleep 60"));
        using var client = tekton.Server.Client();
        await client.StartComponentAsync("logs-echo", wait: true);
        await WaitForLogAsync(client, "logs-echo", "tekton");

        var all = await tekton.Cli.RunAsync("components", "logs", "logs-echo");
        var last = await tekton.Cli.RunAsync("components", "logs", "logs-echo", "--tail", "1");

        all.ExitCode.Should().Be(0, all.ToString());
        all.OutputLines.Should().Equal("hello", "from", "tekton");
        last.OutputLines.Should().Equal("tekton");
        await StopAsync("logs-echo");
    }

    [Fact]
    public async Task Logs_follow_prints_each_new_line_once_as_it_is_written_and_ends_with_0_on_sigterm()
    {
        await RegisterAsync(Registrations.Launched("logs-ticker", "i=0; while [ $i -lt 40 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done; sleep 60"));
        using var client = tekton.Server.Client();
        await client.StartComponentAsync("logs-ticker", wait: true);

        await using var follow = tekton.Cli.Start("components", "logs", "logs-ticker", "--follow");
        await follow.WaitForOutputAsync(line => line == "tick 39", Patience);
        var exitCode = await follow.TerminateAsync(Patience);

        exitCode.Should().Be(0, follow.ToString());
        follow.StandardOutput.Should().Equal(Enumerable.Range(0, 40).Select(i => $"tick {i}"), "every line once, in order");
        await StopAsync("logs-ticker");
    }

    [Fact]
    public async Task Deregister_removes_the_component()
    {
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(Registrations.Component("gone"));

        var result = await tekton.Cli.RunAsync("components", "deregister", "gone");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("gone: Component deregistered successfully\n");
        (await tekton.Cli.RunAsync("components", "get", "gone")).ExitCode.Should().Be(3);
    }

    private async Task RegisterAsync(string json)
    {
        var result = await tekton.Cli.RunWithInputAsync(json, "components", "register", "-f", "-");
        result.ExitCode.Should().Be(0, result.ToString());
    }

    private async Task StopAsync(string componentId)
    {
        using var client = tekton.Server.Client();
        await client.StopComponentAsync(componentId, new StopOptions { Cascade = true, Force = true });
    }

    private static async Task WaitForLogAsync(TektonClient client, string componentId, string line)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!(await client.GetComponentLogsAsync(componentId)).Lines.Contains(line))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"{componentId} should have written '{line}'");
            await Task.Delay(50);
        }
    }
}
