using System.Text.Json;

namespace Tekton.Cli.Tests.Service;

[Collection(TektonCollection.Name)]
public sealed class VersionCommandTests(OpenTekton tekton)
{
    [Fact]
    public async Task Version_prints_the_cli_version_then_the_server_version()
    {
        var result = await tekton.Cli.RunAsync("version");

        result.ExitCode.Should().Be(0, result.ToString());
        result.OutputLines[0].Should().Be("tekton CLI 1.0.0");
        result.OutputLines[1].Should().MatchRegex(@"^Tekton 1\.0\.0 at http://127\.0\.0\.1:\d+/ \(API v1, commit \S+, built \d{4}-\d\d-\d\d\)$");
    }

    [Fact]
    public async Task Version_with_json_prints_both_versions()
    {
        var result = await tekton.Cli.RunAsync("version", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("cli").GetProperty("version").GetString().Should().Be("1.0.0");
        json.RootElement.GetProperty("server").GetProperty("api_version").GetString().Should().Be("v1");
    }

    [Fact]
    public async Task Version_still_prints_the_cli_version_when_tekton_is_unreachable()
    {
        var result = await new TektonCli(new Uri("http://127.0.0.1:1")).RunAsync("version");

        result.ExitCode.Should().Be(6, result.ToString());
        result.StandardOutput.Should().Be("tekton CLI 1.0.0\n");
    }
}
