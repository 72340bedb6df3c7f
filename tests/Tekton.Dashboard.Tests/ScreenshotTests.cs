using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace Tekton.Dashboard.Tests;

/// <summary>
/// The pictures of docs/images: the reference's stack started for real, each main view once it shows it. They go
/// to <c>TEKTON_SCREENSHOTS</c> when set (build/screenshots.sh sets it to docs/images), else beside the test results.
/// </summary>
public sealed class ScreenshotTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly string Folder = Environment.GetEnvironmentVariable("TEKTON_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(DashboardSession.ResultsFolder, "screenshots");

    [Fact]
    public async Task The_main_views_are_pictured()
    {
        await ReferenceStack.RegisterAsync(fixture.Server, launch: true);
        await ReferenceStack.AddModelsAsync(fixture.Server);

        using (var started = await fixture.Server.PostJsonAsync("/api/tekton/components/api_gateway/start?wait=true", "{}"))
        {
            started.IsSuccessStatusCode.Should().BeTrue(await started.Content.ReadAsStringAsync());
        }

        Directory.CreateDirectory(Folder);
        try
        {
            await using var session = await fixture.OpenAsync("/#/components");
            var page = session.Page;
            await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
            await Expect(page.Locator("tr[data-component='api_gateway'] .badge")).ToHaveTextAsync("ready");
            await Expect(page.Locator("tr[data-component='ergon'] .badge")).ToHaveTextAsync("registered");
            await Expect(page.Locator("tr[data-component='api_gateway'] .instances")).ToContainTextAsync("live");
            await ShootAsync(page, "components");

            await page.GotoAsync("/#/graph");
            await Expect(page.GetByTestId("dependency-graph").Locator("[data-node]")).ToHaveCountAsync(6);
            await ShootAsync(page, "graph");

            await page.GotoAsync("/#/components/rhetor");
            await Expect(page.GetByTestId("log-tail")).ToContainTextAsync("ready", new() { Timeout = 10_000 });
            await Expect(page.Locator("[data-testid=usage] .sparkline svg")).ToHaveCountAsync(2, new() { Timeout = 15_000 });
            await ShootAsync(page, "component");

            await page.GotoAsync("/#/resources");
            await Expect(page.GetByTestId("cpu-card").Locator("canvas")).ToHaveCountAsync(1);
            await ShootAsync(page, "resources");

            await page.GotoAsync("/#/models");
            var form = page.GetByTestId("route-form");
            await form.Locator("input[name=task_type]").FillAsync("code_generation");
            await form.Locator("select[name=complexity]").SelectOptionAsync("high");
            await form.Locator("input[name=context_length]").FillAsync("5000");
            await form.Locator("button[type=submit]").ClickAsync();
            await Expect(page.GetByTestId("selected-model")).ToBeVisibleAsync();
            await ShootAsync(page, "models");

            await page.SetViewportSizeAsync(390, 844);
            await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
            await page.GotoAsync("/#/components");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
            await Expect(page.Locator("tr[data-component='hermes'] .badge")).ToHaveTextAsync("ready");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, "phone-dark.png") });
            session.AssertNoConsoleErrors();
        }
        finally
        {
            using var stopped = await fixture.Server.PostJsonAsync("/api/tekton/components/hermes/stop", """{"cascade":true,"timeout":10}""");
        }

        foreach (var name in new[] { "components", "graph", "component", "resources", "models", "phone-dark" })
        {
            new FileInfo(Path.Combine(Folder, name + ".png")).Length.Should().BeGreaterThan(10_000, $"{name}.png should picture the view");
        }
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        // Heartbeat ages tick and sparklines move; settle on one frame.
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, name + ".png"), FullPage = false });
    }
}
