using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Tekton.Dashboard.Tests;

/// <summary>Every view loads cleanly; the page works at phone width and in light and dark.</summary>
public sealed class LayoutTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Every_view_loads_without_console_errors()
    {
        await ReferenceStack.RegisterAsync(fixture.Server);
        await using var session = await fixture.OpenAsync("/");
        var page = session.Page;

        await Expect(page.Locator("[data-view=components]")).ToBeVisibleAsync();
        foreach (var (hash, view) in new[]
        {
            ("#/components/engram", "detail"), ("#/graph", "graph"), ("#/resources", "resources"), ("#/models", "models"), ("#/events", "events"),
        })
        {
            await page.Locator($"a[href='{hash}']").First.ClickAsync();
            await Expect(page.Locator($"[data-view={view}]")).ToBeVisibleAsync();
        }

        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_resources_view_charts_every_core_memory_disk_and_says_when_there_is_no_GPU()
    {
        await using var session = await fixture.OpenAsync("/#/resources");
        var page = session.Page;
        var resources = await fixture.Server.GetObjectAsync("/api/tekton/resources");
        var cores = resources["cpu"]!["per_core"]!.AsArray().Count;

        var cpu = page.GetByTestId("cpu-card");
        await Expect(cpu.Locator("canvas")).ToHaveCountAsync(1);
        await Expect(cpu.Locator(".u-legend .u-series")).ToHaveCountAsync(1 + 1 + cores);
        await Expect(cpu).ToContainTextAsync($"{resources["cpu"]!["cores"]} cores");
        await Expect(page.GetByTestId("memory-card").Locator("canvas")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("disk-card").Locator("canvas")).ToHaveCountAsync(1);

        var gpus = resources["gpu"]!.AsArray().Count;
        if (gpus == 0)
        {
            await Expect(page.GetByTestId("gpu-card")).ToContainTextAsync("No GPU was found");
        }
        else
        {
            await Expect(page.GetByTestId("gpu-card").Locator("canvas")).ToHaveCountAsync(gpus);
        }

        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task At_phone_width_nothing_overflows_and_the_menu_opens_the_views()
    {
        await fixture.Server.RegisterComponentAsync("phone-check");
        await using var session = await fixture.OpenAsync("/#/components");
        var page = session.Page;
        await page.SetViewportSizeAsync(390, 844);
        await Expect(page.Locator("tr[data-component='phone-check']")).ToBeVisibleAsync();

        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).Should().BeLessThanOrEqualTo(390);
        var graphLink = page.Locator("nav a[href='#/graph']");
        await Expect(graphLink).ToBeHiddenAsync();
        await page.Locator(".menu-toggle").ClickAsync();
        await graphLink.ClickAsync();
        await Expect(page.Locator("[data-view=graph]")).ToBeVisibleAsync();
        await Expect(graphLink).ToBeHiddenAsync();
        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).Should().BeLessThanOrEqualTo(390);

        await page.GotoAsync("/#/components/phone-check");
        await Expect(page.Locator("[data-view=detail]")).ToBeVisibleAsync();
        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).Should().BeLessThanOrEqualTo(390);
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_theme_follows_the_system_and_the_switch_is_remembered()
    {
        await using var session = await fixture.OpenAsync("/");
        var page = session.Page;
        var html = page.Locator("html");

        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.ReloadAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        var dark = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");

        await page.Locator(".topbar [aria-label='Switch light and dark']").ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "light");
        (await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor")).Should().NotBe(dark);

        await page.ReloadAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "light");
        await Expect(page.Locator("[data-view=components]")).ToBeVisibleAsync();
        session.AssertNoConsoleErrors();
    }
}
