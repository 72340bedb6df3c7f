using static Microsoft.Playwright.Assertions;

namespace Tekton.Dashboard.Tests;

/// <summary>The components table: what it shows, its filters, and that it follows Tekton live.</summary>
public sealed class ComponentsViewTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private DashboardServer Server => fixture.Server;

    [Fact]
    public async Task Registered_components_appear_with_status_type_version_and_instances()
    {
        await ReferenceStack.RegisterAsync(Server);

        await using var session = await fixture.OpenAsync("/#/components");
        var page = session.Page;

        foreach (var (id, _) in ReferenceStack.Dependencies)
        {
            var row = page.Locator($"tr[data-component='{id}']");
            await Expect(row).ToBeVisibleAsync();
            await Expect(row.Locator(".badge")).ToHaveTextAsync("registered");
            await Expect(row.Locator(".instances")).ToHaveTextAsync("1");
        }

        var engram = page.Locator("tr[data-component='engram']");
        await Expect(engram).ToContainTextAsync("Engram Memory Service");
        await Expect(engram).ToContainTextAsync("memory");
        await Expect(engram).ToContainTextAsync("1.0.0");
        await Expect(engram).ToContainTextAsync("vector_search");
        await Expect(engram.Locator(".heartbeat-age")).ToHaveTextAsync("never");
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Search_and_filters_narrow_the_table()
    {
        await Server.RegisterComponentAsync("filter-alpha", type: "memory");
        await Server.RegisterComponentAsync("filter-beta", type: "llm");
        var ready = await Server.RegisterComponentAsync("filter-gamma", type: "llm");
        await Server.ChangeStateAsync("filter-gamma", ready, "initializing");

        await using var session = await fixture.OpenAsync("/#/components");
        var page = session.Page;
        var rows = page.Locator("[data-testid=components-table] tbody tr");
        await Expect(page.Locator("tr[data-component='filter-gamma']")).ToBeVisibleAsync();

        await page.GetByTestId("component-search").FillAsync("filter-");
        await Expect(rows).ToHaveCountAsync(3);

        await page.GetByTestId("type-filter").SelectOptionAsync("llm");
        await Expect(rows).ToHaveCountAsync(2);

        await page.GetByTestId("status-filter").SelectOptionAsync("initializing");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-component", "filter-gamma");

        await page.GetByTestId("component-search").FillAsync("no-such-component");
        await Expect(rows).ToHaveCountAsync(0);
        await Expect(page.GetByText("No component matches these filters.")).ToBeVisibleAsync();
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_state_change_and_a_registration_appear_within_two_seconds_without_a_reload()
    {
        var instance = await Server.RegisterComponentAsync("live-probe");
        await using var session = await fixture.OpenAsync("/#/components");
        var page = session.Page;
        var badge = page.Locator("tr[data-component='live-probe'] .badge");
        await Expect(badge).ToHaveTextAsync("registered");
        await Expect(page.GetByTestId("live-state")).ToHaveTextAsync("live");
        var loads = 0;
        page.Load += (_, _) => Interlocked.Increment(ref loads);

        await Server.ChangeStateAsync("live-probe", instance, "initializing");
        await Expect(badge).ToHaveTextAsync("initializing", new() { Timeout = 2_000 });

        await Server.ChangeStateAsync("live-probe", instance, "ready");
        await Expect(badge).ToHaveTextAsync("ready", new() { Timeout = 2_000 });

        await Server.RegisterComponentAsync("late-arrival", ["live-probe"]);
        await Expect(page.Locator("tr[data-component='late-arrival'] .badge")).ToHaveTextAsync("registered", new() { Timeout = 2_000 });

        await Server.HeartbeatAsync("live-probe", instance);
        await Expect(page.Locator("tr[data-component='live-probe'] .heartbeat-age")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ s$"), new() { Timeout = 2_000 });

        // The event log has the same changes, in order, with no reload either.
        await page.Locator("nav a[href='#/events']").ClickAsync();
        var events = page.Locator("[data-testid=event-log] tbody tr[data-component='live-probe']");
        await Expect(events).ToHaveCountAsync(3);
        await Expect(events.Nth(0)).ToContainTextAsync("initializing → ready");
        await Expect(events.Nth(1)).ToContainTextAsync("registered → initializing");
        await Expect(events.Nth(2)).ToContainTextAsync("unregistered → registered");

        loads.Should().Be(0, "the page should follow the changes without reloading");
        session.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_deregistered_component_leaves_the_table()
    {
        await Server.RegisterComponentAsync("short-lived");
        await using var session = await fixture.OpenAsync("/#/components");
        var row = session.Page.Locator("tr[data-component='short-lived']");
        await Expect(row).ToBeVisibleAsync();

        using var response = await Server.Api.DeleteAsync("/api/tekton/components/short-lived");
        response.IsSuccessStatusCode.Should().BeTrue();

        await Expect(row).ToHaveCountAsync(0, new() { Timeout = 2_000 });

        // A read of its details that was under way when it left answers 404, which the browser logs; nothing else may be.
        session.ConsoleErrors.Where(e => !e.Contains("/api/tekton/components/short-lived", StringComparison.Ordinal))
            .Should().BeEmpty(string.Join('\n', session.ConsoleMessages));
    }

    [Fact]
    public async Task A_row_opens_the_component_with_its_dependencies_instances_and_recent_changes()
    {
        await Server.RegisterComponentAsync("detail-base");
        var instance = await Server.RegisterComponentAsync("detail-top", ["detail-base", "detail-ghost"]);
        await Server.ChangeStateAsync("detail-top", instance, "initializing");

        await using var session = await fixture.OpenAsync("/#/components");
        var page = session.Page;
        await page.Locator("tr[data-component='detail-top']").ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/components/detail-top$"));
        await Expect(page.Locator("[data-view=detail] h1")).ToContainTextAsync("detail-top");
        var dependencies = page.GetByTestId("dependencies");
        await Expect(dependencies.Locator("a[href='#/components/detail-base']")).ToBeVisibleAsync();
        await Expect(dependencies).ToContainTextAsync("detail-ghost");
        await Expect(dependencies.Locator(".state-missing")).ToHaveCountAsync(1);
        await Expect(page.Locator($"[data-testid=instances] tr[data-instance='{instance}'] .badge")).ToHaveTextAsync("initializing");
        await Expect(page.GetByTestId("recent-changes")).ToContainTextAsync("registered → initializing");
        await Expect(page.GetByTestId("health")).ToContainTextAsync("overall");

        // The dependency's page lists this one as needing it.
        await dependencies.Locator("a[href='#/components/detail-base']").ClickAsync();
        await Expect(page.GetByTestId("dependencies").Locator("a[href='#/components/detail-top']")).ToBeVisibleAsync();
        session.AssertNoConsoleErrors();
    }
}
