using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Tekton.Web.Tests.Service;

/// <summary>
/// The dashboard's static files at <c>/</c>: served publicly with their security and caching headers, and never in
/// the way of the API. Each server gets a web root made here, so these tests do not depend on the npm build.
/// </summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private const string Page = "<!doctype html><html><head><title>Tekton</title><script type=\"module\" src=\"./assets/index-B4x9Qk2z.js\"></script></head><body></body></html>";
    private const string Script = "document.title = 'Tekton';";

    private readonly string _webRoot = Directory.CreateTempSubdirectory("tekton-webroot-").FullName;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_webRoot, "assets"));
        File.WriteAllText(Path.Combine(_webRoot, "index.html"), Page);
        File.WriteAllText(Path.Combine(_webRoot, "assets", "index-B4x9Qk2z.js"), Script);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_webRoot, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Root_serves_the_page_with_its_content_security_policy()
    {
        await using var server = await StartAsync(_webRoot);

        using var response = await server.Client.GetAsync("/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Be(Page);
        response.Headers.GetValues("Content-Security-Policy").Should().Equal(
            "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.CacheControl!.NoCache.Should().BeTrue("the page names the current assets, so browsers must revalidate it");
    }

    [Fact]
    public async Task Assets_are_cached_for_good_because_their_names_hold_their_hash()
    {
        await using var server = await StartAsync(_webRoot);

        using var response = await server.Client.GetAsync("/assets/index-B4x9Qk2z.js");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        (await response.Content.ReadAsStringAsync()).Should().Be(Script);
        response.Headers.GetValues("Cache-Control").Should().Equal("public, max-age=31536000, immutable");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
    }

    [Fact]
    public async Task An_unknown_api_path_is_still_the_api_s_problem_json_404()
    {
        await using var server = await StartAsync(_webRoot);

        using var response = await server.Client.GetAsync("/api/tekton/no-such-thing");

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, 1000);
    }

    [Fact]
    public async Task The_page_is_public_when_auth_is_on_and_the_api_is_not()
    {
        await using var secured = await SecuredTekton.StartAsync(new Dictionary<string, string?> { [WebHostDefaults.WebRootKey] = _webRoot });
        using var anonymous = secured.ClientFor(null);

        using var page = await anonymous.GetAsync("/");
        using var asset = await anonymous.GetAsync("/assets/index-B4x9Qk2z.js");
        using var api = await anonymous.GetAsync("/api/tekton/components");

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        asset.StatusCode.Should().Be(HttpStatusCode.OK);
        api.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Without_a_built_dashboard_root_says_how_to_build_it()
    {
        var empty = Directory.CreateTempSubdirectory("tekton-webroot-").FullName;
        try
        {
            await using var server = await StartAsync(empty);

            using var response = await server.Client.GetAsync("/");

            response.StatusCode.Should().Be(HttpStatusCode.NotFound);
            response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
            (await response.Content.ReadAsStringAsync()).Should().Contain("dashboard is not built").And.Contain("npm run build");
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static Task<TektonServer> StartAsync(string webRoot) =>
        TektonServer.StartAsync(new Dictionary<string, string?> { [WebHostDefaults.WebRootKey] = webRoot });
}
