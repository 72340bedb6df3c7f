using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Tekton.Cli.Tests;

[Collection(TektonCollection.Name)]
public sealed class ExitCodeTests(OpenTekton tekton)
{
    [Fact]
    public async Task An_unknown_component_exits_3_with_the_message_and_code_on_stderr()
    {
        var result = await tekton.Cli.RunAsync("components", "get", "no-such-component");

        result.ExitCode.Should().Be(3, result.ToString());
        result.StandardOutput.Should().BeEmpty();
        result.StandardError.Should().Be("error: Component 'no-such-component' is not registered. (code 1001)\n");
    }

    [Fact]
    public async Task An_unknown_component_with_json_writes_the_problem_json_to_stderr()
    {
        var result = await tekton.Cli.RunAsync("components", "start", "no-such-component", "--json");

        result.ExitCode.Should().Be(3, result.ToString());
        using var problem = JsonDocument.Parse(result.StandardError);
        problem.RootElement.GetProperty("code").GetInt32().Should().Be(1001);
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(404);
    }

    [Fact]
    public async Task An_unreachable_tekton_exits_6()
    {
        var closedPort = ClosedPort();

        var result = await new TektonCli().RunAsync("components", "list", "--url", $"http://127.0.0.1:{closedPort}");

        result.ExitCode.Should().Be(6, result.ToString());
        result.StandardError.Should().StartWith($"error: cannot reach Tekton at http://127.0.0.1:{closedPort}/");
        result.StandardError.Should().NotContain("   at ", "no stack trace reaches the user");
    }

    [Fact]
    public async Task An_unreachable_tekton_with_json_writes_a_problem_object_with_the_exit_code_to_stderr()
    {
        var result = await new TektonCli(new Uri($"http://127.0.0.1:{ClosedPort()}")).RunAsync("graph", "--json");

        result.ExitCode.Should().Be(6, result.ToString());
        result.StandardOutput.Should().BeEmpty();
        using var problem = JsonDocument.Parse(result.StandardError);
        problem.RootElement.GetProperty("title").GetString().Should().Be("Tekton is unreachable.");
        problem.RootElement.GetProperty("exit_code").GetInt32().Should().Be(6);
        problem.RootElement.GetProperty("success").GetBoolean().Should().BeFalse();
    }

    [Theory]
    [InlineData("components", "list", "--no-such-option")]
    [InlineData("components", "register")]
    [InlineData("components", "list", "--status", "sleeping")]
    [InlineData("graph", "--format", "png")]
    [InlineData("components", "start", "x", "--dependency-timeout", "soon")]
    [InlineData("components")]
    public async Task Bad_arguments_exit_2_before_anything_is_sent(params string[] args)
    {
        var result = await new TektonCli(new Uri("http://127.0.0.1:1")).RunAsync(args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().StartWith("error: ").And.Contain("--help' for usage.");
    }

    [Fact]
    public async Task A_url_that_is_not_http_is_a_usage_error()
    {
        var result = await new TektonCli().RunAsync("components", "list", "--url", "ftp://example.org");

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().Be("error: 'ftp://example.org' is not an http or https URL (from --url or TEKTON_URL).\n");
    }

    [Fact]
    public async Task A_request_tekton_finds_malformed_exits_2()
    {
        using var client = tekton.Server.Client();
        await client.RegisterComponentAsync(Registrations.Component("tail-zero"));

        var result = await tekton.Cli.RunAsync("components", "logs", "tail-zero", "--tail", "0");

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().Contain("(code 1000)").And.Contain("tail: ");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
