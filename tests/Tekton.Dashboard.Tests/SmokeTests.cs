using System.Net;

namespace Tekton.Dashboard.Tests;

public sealed class SmokeTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task The_page_at_root_loads_titled_Tekton_without_console_errors()
    {
        await using var session = await fixture.OpenAsync("/");

        session.Response!.Status.Should().Be((int)HttpStatusCode.OK);
        (await session.Page.TitleAsync()).Should().Be("Tekton");
        session.AssertNoConsoleErrors();
    }
}
