using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace Tekton.Dashboard.Tests;

/// <summary>The model catalog and the route tester, against Tekton's own routing.</summary>
public sealed class ModelsViewTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task The_route_tester_shows_the_selection_criteria_and_fallbacks_that_Tekton_answers()
    {
        await ReferenceStack.AddModelsAsync(fixture.Server);
        await using var session = await fixture.OpenAsync("/#/models");
        var page = session.Page;
        await Expect(page.Locator("[data-testid=models-table] tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("tr[data-model='llama3']")).ToContainTextAsync("ollama");

        var form = page.GetByTestId("route-form");
        await form.Locator("input[name=task_type]").FillAsync("code_generation");
        await form.Locator("select[name=complexity]").SelectOptionAsync("high");
        await form.Locator("input[name=context_length]").FillAsync("5000");
        await form.Locator("input[name=capabilities]").FillAsync("code_generation");
        await form.Locator("select[name=min_tier]").SelectOptionAsync("2");
        await form.Locator("button[type=submit]").ClickAsync();

        // What Tekton answers the same request directly.
        using var direct = await fixture.Server.PostJsonAsync("/api/tekton/route",
            """{"task_type":"code_generation","complexity":"high","context_length":5000,"requirements":{"capabilities":["code_generation"],"min_tier":2},"fallback":true}""");
        var expected = JsonNode.Parse(await direct.Content.ReadAsStringAsync())!;

        var result = page.GetByTestId("route-result");
        await Expect(result.GetByTestId("selected-model")).ToHaveTextAsync(expected["selected_model"]!.GetValue<string>());
        await Expect(result).ToContainTextAsync(expected["provider"]!.GetValue<string>());
        foreach (var (criterion, value) in expected["selection_criteria"]!.AsObject())
        {
            await Expect(result.Locator($"[data-criterion='{criterion}'] .check")).ToHaveAttributeAsync("aria-label", value!.GetValue<bool>() ? "yes" : "no");
        }

        var fallbacks = expected["fallback_models"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();
        await Expect(result.Locator(".fallbacks li")).ToHaveTextAsync(fallbacks);
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_request_no_model_can_serve_shows_Tekton_s_error()
    {
        await ReferenceStack.AddModelsAsync(fixture.Server);
        await using var session = await fixture.OpenAsync("/#/models");
        var form = session.Page.GetByTestId("route-form");
        await form.Locator("input[name=task_type]").FillAsync("image_generation");
        await form.Locator("input[name=fallback]").UncheckAsync();
        await form.Locator("button[type=submit]").ClickAsync();

        using var direct = await fixture.Server.PostJsonAsync("/api/tekton/route", """{"task_type":"image_generation","complexity":"medium","fallback":false}""");
        var problem = JsonNode.Parse(await direct.Content.ReadAsStringAsync())!;
        var error = session.Page.GetByTestId("route-result").Locator(".notice-error");
        await Expect(error).ToContainTextAsync($"HTTP {(int)direct.StatusCode}, code {problem["code"]}");
        await Expect(session.Page.GetByTestId("selected-model")).ToHaveCountAsync(0);
    }
}
