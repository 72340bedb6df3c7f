using System.Text.Json;
using Tekton.Client;

namespace Tekton.Cli.Tests.Models;

[Collection(TektonCollection.Name)]
public sealed class ModelsAndRouteCommandTests(OpenTekton tekton)
{
    [Fact]
    public async Task Models_lists_a_model_added_through_the_api_with_its_provider_tier_and_status()
    {
        await AddAsync(new ModelInfo { Id = "cli/lister:1b", Provider = "vllm", Capabilities = ["classification"], Tier = 1, ContextWindow = 4096 });

        var table = await tekton.Cli.RunAsync("models", "--capability", "classification");
        var json = await tekton.Cli.RunAsync("models", "--capability", "classification", "--json");

        table.ExitCode.Should().Be(0, table.ToString());
        table.OutputLines.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Should().ContainEquivalentOf(
            new[] { "cli/lister:1b", "vllm", "1", "4096", "available", "classification", "api" });
        using var document = JsonDocument.Parse(json.StandardOutput);
        var model = document.RootElement.GetProperty("models").EnumerateArray().Should().ContainSingle().Subject;
        model.GetProperty("id").GetString().Should().Be("cli/lister:1b");
        model.GetProperty("context_window").GetInt64().Should().Be(4096);
    }

    [Fact]
    public async Task Route_chooses_the_model_that_fits_the_task_and_its_requirements()
    {
        await AddAsync(new ModelInfo { Id = "cli/coder:7b", Provider = "vllm", Capabilities = ["code_generation", "code_analysis"], Tier = 2, ContextWindow = 32768 });
        await AddAsync(new ModelInfo { Id = "cli/coder:70b", Provider = "other", Capabilities = ["code_generation"], Tier = 3, ContextWindow = 8192 });

        var result = await tekton.Cli.RunAsync(
            "route", "code_generation", "--complexity", "medium", "--context-length", "16000", "--capability", "code_analysis", "--min-tier", "2", "--json");
        var human = await tekton.Cli.RunAsync("route", "code_generation", "--complexity", "high");

        result.ExitCode.Should().Be(0, result.ToString());
        using var route = JsonDocument.Parse(result.StandardOutput);
        route.RootElement.GetProperty("selected_model").GetString().Should().Be("cli/coder:7b");
        route.RootElement.GetProperty("selection_criteria").GetProperty("capability_match").GetBoolean().Should().BeTrue();
        human.ExitCode.Should().Be(0, human.ToString());
        human.OutputLines[0].Should().MatchRegex("^model +cli/coder:70b$");
    }

    [Fact]
    public async Task Route_exits_3_when_no_model_can_serve_the_task_and_8_when_none_is_available()
    {
        await AddAsync(new ModelInfo { Id = "cli/translator", Provider = "vllm", Capabilities = ["translation"], Tier = 2, ContextWindow = 4096, Status = "unavailable" });

        var noRoute = await tekton.Cli.RunAsync("route", "vision");
        var unavailable = await tekton.Cli.RunAsync("route", "translation");

        noRoute.ExitCode.Should().Be(3, noRoute.ToString());
        noRoute.StandardError.Should().StartWith("error: No model can serve task 'vision'").And.Contain("(code 1009)").And.Contain("ruled_out:");
        unavailable.ExitCode.Should().Be(8, unavailable.ToString());
        unavailable.StandardError.Should().Contain("(code 1010)").And.Contain("unavailable: cli/translator");
    }

    private async Task AddAsync(ModelInfo model)
    {
        using var client = tekton.Server.Client();
        await client.AddModelAsync(model);
    }
}
