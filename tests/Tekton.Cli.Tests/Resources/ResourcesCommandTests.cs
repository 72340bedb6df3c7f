using System.Text.Json;

namespace Tekton.Cli.Tests.Resources;

[Collection(TektonCollection.Name)]
public sealed class ResourcesCommandTests(OpenTekton tekton)
{
    [Fact]
    public async Task Resources_with_json_prints_cpu_memory_disk_and_gpus_in_the_api_shape()
    {
        var result = await tekton.Cli.RunAsync("resources", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var resources = json.RootElement;
        resources.GetProperty("cpu").GetProperty("cores").GetInt32().Should().BePositive();
        resources.GetProperty("memory").GetProperty("total").GetDouble().Should().BePositive();
        resources.GetProperty("disk").GetProperty("total").GetDouble().Should().BePositive();
        resources.GetProperty("gpu").ValueKind.Should().Be(JsonValueKind.Array);
        resources.GetProperty("timestamp").GetString().Should().EndWith("Z");
    }

    [Fact]
    public async Task Resources_prints_a_line_for_cpu_memory_swap_disk_and_gpu()
    {
        var result = await tekton.Cli.RunAsync("resources");

        result.ExitCode.Should().Be(0, result.ToString());
        result.OutputLines.Select(line => line.Split(' ')[0]).Take(5).Should().Equal("cpu", "memory", "swap", "disk", "sampled");
        result.OutputLines[5].Should().MatchRegex("^(gpu: none|GPU )", "a machine without a GPU says so, one with GPUs lists them");
        result.OutputLines[0].Should().MatchRegex(@"^cpu +[\d.]+% of \d+ cores, load ");
    }
}
