using System.Text.Json.Nodes;
using static Microsoft.Playwright.Assertions;

namespace Tekton.Dashboard.Tests;

/// <summary>With auth on, the page asks for a key, and what it offers follows the key's role.</summary>
public sealed class SignInTests(SecuredDashboardFixture fixture) : IClassFixture<SecuredDashboardFixture>
{
    private async Task<string> CreateKeyAsync(string name, string role)
    {
        using var response = await fixture.Server.PostJsonAsync("/api/tekton/auth/keys", $$"""{"name":"{{name}}","role":"{{role}}"}""");
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(body);
        return JsonNode.Parse(body)!["api_key"]!.GetValue<string>();
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        var form = page.GetByTestId("sign-in");
        await form.Locator("input[name=api_key]").FillAsync(key);
        await form.Locator("button[type=submit]").ClickAsync();
    }

    /// <summary>The browser logs every refused request (the page's probe, a wrong key) as a console error; nothing else may be.</summary>
    private static void AssertOnlyRefusalsLogged(DashboardSession session) =>
        session.ConsoleErrors.Where(e => !e.Contains("status of 401", StringComparison.Ordinal)).Should().BeEmpty(string.Join('\n', session.ConsoleMessages));

    [Fact]
    public async Task The_page_asks_for_a_key_and_refuses_a_wrong_one()
    {
        await fixture.Server.RegisterComponentAsync("gated");
        await using var session = await fixture.OpenAsync("/#/components");
        var page = session.Page;

        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=components-table]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-action]")).ToHaveCountAsync(0);

        await SignInAsync(page, "tk_not-a-real-key-000000000000000000000");
        await Expect(page.GetByTestId("sign-in").Locator(".notice-error")).ToContainTextAsync("does not accept this key");
        await Expect(page.Locator("tr[data-component='gated']")).ToHaveCountAsync(0);
        AssertOnlyRefusalsLogged(session);
    }

    [Fact]
    public async Task A_Monitor_sees_the_system_but_no_buttons_and_an_Admin_sees_the_buttons()
    {
        await fixture.Server.RegisterComponentAsync("watched");
        var monitorKey = await CreateKeyAsync("dashboard-monitor", "monitor");
        await using var session = await fixture.OpenAsync("/#/components/watched");
        var page = session.Page;

        await SignInAsync(page, monitorKey);
        await Expect(page.GetByTestId("who")).ToHaveTextAsync("monitor");
        await Expect(page.Locator("[data-view=detail] h1")).ToContainTextAsync("watched");
        await Expect(page.GetByTestId("live-state")).ToHaveTextAsync("live");
        await Expect(page.Locator("[data-action=start], [data-action=stop], [data-action=restart]")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Logs need an Admin key.")).ToBeVisibleAsync();

        // Live events reach a signed-in page too.
        var instance = (await fixture.Server.GetObjectAsync("/api/tekton/components/watched/status"))["instance_uuid"]!.GetValue<Guid>();
        await fixture.Server.ChangeStateAsync("watched", instance, "initializing");
        await Expect(page.Locator("[data-view=detail] h1 .badge")).ToHaveTextAsync("initializing", new() { Timeout = 2_000 });

        await page.Locator("[data-action=sign-out]").ClickAsync();
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();

        await SignInAsync(page, fixture.Server.AdminKey!);
        await Expect(page.GetByTestId("who")).ToHaveTextAsync("admin");
        await Expect(page.Locator("[data-action=stop]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-action=start]")).ToBeVisibleAsync();
        AssertOnlyRefusalsLogged(session);
    }

    [Fact]
    public async Task A_User_key_opens_the_models_only_and_a_revoked_key_goes_back_to_the_sign_in()
    {
        using var created = await fixture.Server.PostJsonAsync("/api/tekton/auth/keys", """{"name":"dashboard-user","role":"user"}""");
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        await using var session = await fixture.OpenAsync("/");
        var page = session.Page;

        await SignInAsync(page, key["api_key"]!.GetValue<string>());
        await Expect(page.Locator("[data-view=models]")).ToBeVisibleAsync();
        await page.GotoAsync("/#/components");
        await Expect(page.GetByText("may use the model catalog and routing only")).ToBeVisibleAsync();

        using var revoked = await fixture.Server.Api.DeleteAsync($"/api/tekton/auth/keys/{key["id"]}");
        revoked.IsSuccessStatusCode.Should().BeTrue();
        await page.ReloadAsync();
        await Expect(page.GetByTestId("sign-in")).ToContainTextAsync("no longer accepted");
        AssertOnlyRefusalsLogged(session);
    }
}
