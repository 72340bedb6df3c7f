using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Security;

/// <summary>A web page of another origin can neither write nor open the event sockets (decision 47).</summary>
public sealed class BrowserOriginTests : IAsyncLifetime
{
    private TektonServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TektonServer.StartAsync(new Dictionary<string, string?> { ["Tekton:Auth:AllowedOrigins:0"] = "https://dashboard.example:8443" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/ws/tekton/heartbeat")]
    [InlineData("/ws/tekton/state")]
    [InlineData("/hubs/tekton")]
    public async Task A_foreign_origin_is_refused_with_403_and_1008(string path)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", "http://evil.example");

        await FluentActions.Awaiting(() => socket.ConnectAsync(Address(path), CancellationToken.None)).Should().ThrowAsync<WebSocketException>();

        socket.HttpStatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await RefusalAsync(path)).Should().NotBeNull("a refused origin is audited like any other denial");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://dashboard.example:8443")]
    [InlineData("same")]
    public async Task No_origin_the_same_origin_and_a_listed_origin_connect(string? origin)
    {
        using var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin == "same" ? _server.BaseAddress.GetLeftPart(UriPartial.Authority) : origin);
        }

        await socket.ConnectAsync(Address("/ws/tekton/heartbeat"), CancellationToken.None);
        await using var events = EventSocket.Wrap(socket);
        await events.SendAsync("""{"action":"subscribe","component_id":"all"}""");

        (await events.ExpectAsync("subscribed"))["component_id"]!.GetValue<string>().Should().Be("all");
    }

    [Fact]
    public async Task A_foreign_page_cannot_start_or_stop_a_component_but_reads_and_other_clients_are_unaffected()
    {
        await _server.RegisterAsync("victim");
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/tekton/components/victim/stop");
        forged.Headers.Add("Origin", "http://evil.example");

        await (await _server.Client.SendAsync(forged)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
        var refusal = (await RefusalAsync("/api/tekton/components/victim/stop"))!;
        refusal["method"]!.GetValue<string>().Should().Be("POST");
        refusal["status"]!.GetValue<int>().Should().Be(403);
        refusal["client_address"]!.GetValue<string>().Should().Be("127.0.0.1");
        refusal["detail"]!.GetValue<string>().Should().Contain("http://evil.example");

        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/tekton/components/victim");
        read.Headers.Add("Origin", "http://evil.example");
        (await _server.Client.SendAsync(read)).StatusCode.Should().Be(HttpStatusCode.OK, "a browser does not let the page read the answer");
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/tekton/components/victim/stop");
        sameOrigin.Headers.Add("Origin", _server.BaseAddress.GetLeftPart(UriPartial.Authority));
        (await _server.Client.SendAsync(sameOrigin)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.Client.PostAsync("/api/tekton/components/victim/stop", null)).StatusCode.Should().Be(HttpStatusCode.OK, "no Origin: not a browser");
    }

    /// <summary>The audit trail's denied entry for a request to this path, once the queued refusal is written.</summary>
    private async Task<JsonNode?> RefusalAsync(string path)
    {
        JsonNode? entry = null;
        await Processes.EventuallyAsync(async () =>
        {
            entry = (await _server.GetObjectAsync("/api/tekton/audit?outcome=denied"))["entries"]!.AsArray()
                .FirstOrDefault(e => e!["path"]!.GetValue<string>() == path);
            return entry is not null;
        });
        return entry;
    }

    private Uri Address(string path) => new UriBuilder(_server.BaseAddress) { Scheme = "ws", Path = path }.Uri;
}
