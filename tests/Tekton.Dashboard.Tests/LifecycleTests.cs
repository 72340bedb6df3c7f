using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace Tekton.Dashboard.Tests;

/// <summary>Start and stop from the page: real processes (the Python sample component), launched and stopped by Tekton.</summary>
public sealed class LifecycleTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_asks_first_then_starts_the_dependencies_in_order_with_live_progress_and_stop_stops_it()
    {
        await ReferenceStack.RegisterAsync(fixture.Server, "hermes", [], launch: true);
        await ReferenceStack.RegisterAsync(fixture.Server, "engram", ["hermes"], launch: true);

        await using var session = await fixture.OpenAsync("/#/components/engram");
        var page = session.Page;
        var start = page.Locator("[data-action=start]");
        await Expect(start).ToBeEnabledAsync();

        // Cancelling the confirmation starts nothing.
        await start.ClickAsync();
        var confirm = page.GetByTestId("confirm");
        await Expect(confirm).ToContainTextAsync("Start engram?");
        await Expect(confirm).ToContainTextAsync("hermes");
        await confirm.Locator("[data-cancel]").ClickAsync();
        await Expect(confirm).ToHaveCountAsync(0);
        (await StatusAsync("hermes")).Should().Be("registered");

        await start.ClickAsync();
        await confirm.Locator("[data-confirm]").ClickAsync();

        var operation = page.GetByTestId("operation").First;
        await Expect(operation.Locator("[data-step]")).ToHaveCountAsync(2);
        await Expect(operation.Locator("[data-step]").Nth(0)).ToHaveAttributeAsync("data-step", "hermes");
        await Expect(operation.Locator("[data-step]").Nth(1)).ToHaveAttributeAsync("data-step", "engram");
        await Expect(operation).ToHaveAttributeAsync("data-phase", "done", new() { Timeout = (float)ProcessTimeout.TotalMilliseconds });
        await Expect(operation.Locator("[data-step='hermes'] .badge")).ToHaveTextAsync("ready");
        await Expect(operation.Locator("[data-step='engram'] .badge")).ToHaveTextAsync("ready");
        await Expect(page.Locator("[data-view=detail] h1 .badge")).ToHaveTextAsync("ready");

        // Tekton launched both for real.
        var engram = await CurrentInstanceAsync("engram");
        engram["status"]!.GetValue<string>().Should().Be("ready");
        var pid = engram["pid"]!.GetValue<int>();
        ProcessAlive(pid).Should().BeTrue();
        (await StatusAsync("hermes")).Should().Be("ready");

        // The log tail shows the component's own output, live.
        await Expect(page.GetByTestId("log-tail")).ToContainTextAsync("ready", new() { Timeout = 10_000 });

        // Restart: a new process, ready again, in one operation.
        await page.Locator("[data-action=restart]").ClickAsync();
        await Expect(confirm).ToContainTextAsync("Restart engram?");
        await confirm.Locator("[data-confirm]").ClickAsync();
        var restart = page.GetByTestId("operation").First;
        await Expect(restart).ToContainTextAsync("Restart engram");
        await Expect(restart).ToHaveAttributeAsync("data-phase", "done", new() { Timeout = (float)ProcessTimeout.TotalMilliseconds });
        await WaitUntilAsync(() => !ProcessAlive(pid), "the restarted component's first process should exit");
        engram = await CurrentInstanceAsync("engram");
        engram["status"]!.GetValue<string>().Should().Be("ready");
        engram["pid"]!.GetValue<int>().Should().NotBe(pid);
        pid = engram["pid"]!.GetValue<int>();
        ProcessAlive(pid).Should().BeTrue();

        await page.Locator("[data-action=stop]").ClickAsync();
        await Expect(confirm).ToContainTextAsync("Stop engram?");
        await confirm.Locator("[data-confirm]").ClickAsync();
        var stop = page.GetByTestId("operation").First;
        await Expect(stop).ToHaveAttributeAsync("data-phase", "done", new() { Timeout = (float)ProcessTimeout.TotalMilliseconds });
        await Expect(page.Locator("[data-view=detail] h1 .badge")).ToHaveTextAsync("stopped", new() { Timeout = 5_000 });
        (await StatusAsync("engram")).Should().Be("stopped");
        await WaitUntilAsync(() => !ProcessAlive(pid), "the stopped process should exit");

        // Tekton still runs hermes; the test stops what it started.
        using var response = await fixture.Server.PostJsonAsync("/api/tekton/components/hermes/stop", """{"timeout":10}""");
        response.IsSuccessStatusCode.Should().BeTrue();
        session.AssertNoConsoleErrors();
    }

    private async Task<string> StatusAsync(string id) =>
        (await fixture.Server.GetObjectAsync($"/api/tekton/components/{id}/status"))["status"]!.GetValue<string>();

    private async Task<JsonObject> CurrentInstanceAsync(string id)
    {
        var details = await fixture.Server.GetObjectAsync($"/api/tekton/components/{id}");
        return details["instances"]!.AsArray().Select(i => i!.AsObject()).Last(i => i["pid"] is not null);
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + ProcessTimeout;
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, because);
            await Task.Delay(50);
        }
    }
}
