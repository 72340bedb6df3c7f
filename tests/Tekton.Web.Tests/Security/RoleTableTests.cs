using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR.Client;
using Tekton.Application.Events;
using Tekton.Domain.Security;
using Tekton.Web.Events;
using Tekton.Web.Security;

namespace Tekton.Web.Tests.Security;

/// <summary>
/// Design §11's role table, checked against every endpoint the server maps: each endpoint must be listed in
/// <see cref="Rows"/> (an endpoint added without a rule fails here), and each is called as every role, as a
/// component key on its own and on a foreign component, and without credentials.
/// </summary>
public sealed class RoleTableTests : IAsyncLifetime
{
    /// <summary>The design's table, written out here independently of the server's copy.</summary>
    private static readonly Dictionary<Permission, string[]> Granted = new()
    {
        [Permission.Public] = ["anonymous", "admin", "component", "monitor", "user"],
        [Permission.Read] = ["admin", "component", "monitor"],
        [Permission.ActAsComponent] = ["admin", "component"],
        [Permission.Administer] = ["admin"],
        [Permission.UseModels] = ["admin", "component", "monitor", "user"],
    };

    /// <summary>Every endpoint (method and route pattern) and its row of the table.</summary>
    private static readonly Dictionary<string, Permission> Rows = new()
    {
        ["POST /api/tekton/components"] = Permission.ActAsComponent,
        ["GET /api/tekton/components"] = Permission.Read,
        ["GET /api/tekton/components/{component_id}"] = Permission.Read,
        ["GET /api/tekton/components/{component_id}/status"] = Permission.Read,
        ["DELETE /api/tekton/components/{component_id}"] = Permission.Administer,
        ["POST /api/tekton/components/{component_id}/heartbeat"] = Permission.ActAsComponent,
        ["POST /api/tekton/components/{component_id}/start"] = Permission.Administer,
        ["POST /api/tekton/components/{component_id}/stop"] = Permission.Administer,
        ["GET /api/tekton/components/{component_id}/logs"] = Permission.Administer,
        ["GET /api/tekton/components/{component_id}/instances/{instance_uuid}/signals"] = Permission.ActAsComponent,
        ["PUT /api/tekton/components/{component_id}/instances/{instance_uuid}/state"] = Permission.ActAsComponent,
        ["GET /api/tekton/dependencies"] = Permission.Read,
        ["GET /api/tekton/components/{component_id}/dependencies"] = Permission.Read,
        ["GET /api/tekton/resources"] = Permission.Read,
        ["GET /api/tekton/resources/history"] = Permission.Read,
        ["GET /api/tekton/components/{component_id}/resources"] = Permission.Read,
        ["POST /api/tekton/components/{component_id}/resources"] = Permission.ActAsComponent,
        ["GET /api/tekton/models"] = Permission.UseModels,
        ["POST /api/tekton/models"] = Permission.Administer,
        ["GET /api/tekton/models/{model_id}"] = Permission.UseModels,
        ["PUT /api/tekton/models/{model_id}"] = Permission.Administer,
        ["DELETE /api/tekton/models/{model_id}"] = Permission.Administer,
        ["POST /api/tekton/route"] = Permission.UseModels,
        ["GET /api/tekton/capabilities"] = Permission.UseModels,
        ["POST /api/tekton/auth/keys"] = Permission.Administer,
        ["GET /api/tekton/auth/keys"] = Permission.Administer,
        ["DELETE /api/tekton/auth/keys/{key_id}"] = Permission.Administer,
        ["POST /api/tekton/auth/token"] = Permission.Public,
        ["GET /api/tekton/audit"] = Permission.Administer,
        ["GET /api/tekton/version"] = Permission.Public,
        ["GET /health/live"] = Permission.Public,
        ["GET /health/ready"] = Permission.Public,
        ["* /metrics"] = Permission.Read,
        ["* /ws/tekton/heartbeat"] = Permission.Read,
        ["* /ws/tekton/state"] = Permission.Read,
        ["* /hubs/tekton/negotiate"] = Permission.Read,
        ["* /hubs/tekton"] = Permission.Read,
    };

    private SecuredTekton _tekton = null!;

    public async Task InitializeAsync()
    {
        _tekton = await SecuredTekton.StartAsync(new Dictionary<string, string?> { ["Tekton:Auth:TokenRequestsPerMinute"] = "1000" });
        using var admin = _tekton.ClientFor(SecuredTekton.AdminKey);
        foreach (var id in new[] { SecuredTekton.OwnComponent, SecuredTekton.ForeignComponent })
        {
            using var response = await admin.PostAsync("/api/tekton/components", Json(
                $$"""{"component_id":"{{id}}","component_name":"{{id}}","component_type":"service","version":"1.0.0"}"""));
            response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        }
    }

    public async Task DisposeAsync() => await _tekton.DisposeAsync();

    [Fact]
    public void Every_endpoint_has_a_row_of_the_role_table()
    {
        var mapped = Endpoints().ToDictionary(e => e.Key, e => e.Permission);

        mapped.Keys.Except(Rows.Keys).Should().BeEmpty("every endpoint the server maps must be listed here with its row of the role table");
        Rows.Keys.Except(mapped.Keys).Should().BeEmpty("every row listed here must be an endpoint the server maps");
        foreach (var (key, permission) in mapped)
        {
            permission.Should().Be(Rows[key], $"{key} must be in the {Rows[key]} row");
        }
    }

    [Fact]
    public async Task Every_endpoint_answers_each_role_as_the_table_says()
    {
        var failures = new List<string>();
        foreach (var (key, permission) in Rows)
        {
            foreach (var (caller, credential, target) in Callers())
            {
                var (method, path) = Request(key, target);
                using var client = _tekton.ClientFor(credential);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT")
                {
                    request.Content = Json(key == "POST /api/tekton/components" ? $$"""{"component_id":"{{target}}"}""" : "{}");
                }

                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var expected = Expected(permission, caller, target);
                var actual = (int)response.StatusCode;
                var outcome = actual switch
                {
                    401 => "401",
                    403 => "403",
                    _ => "allowed",
                };
                if (outcome != expected || actual >= 500)
                {
                    failures.Add($"{method} {path} as {caller}: expected {expected}, got {actual} {body}");
                    continue;
                }

                if (outcome != "allowed")
                {
                    await response.ShouldBeProblemAsync(response.StatusCode, 1008);
                }

                if (outcome == "401")
                {
                    response.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Bearer");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_path_is_401_without_credentials_and_404_with_any()
    {
        using (var anonymous = _tekton.ClientFor(null))
        {
            await (await anonymous.GetAsync("/api/tekton/nothing-here")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, 1008);
        }

        using var user = _tekton.ClientFor(_tekton.UserKey);
        await (await user.GetAsync("/api/tekton/nothing-here")).ShouldBeProblemAsync(HttpStatusCode.NotFound, 1000);
    }

    [Fact]
    public async Task A_wrong_content_type_or_method_is_415_or_405_for_every_role_not_403()
    {
        foreach (var credential in new[] { _tekton.ComponentKey, _tekton.MonitorKey, _tekton.UserKey })
        {
            using var client = _tekton.ClientFor(credential);
            using var xml = new StringContent("""{"task_type":"text_generation"}""", Encoding.UTF8, "application/xml");

            await (await client.PostAsync("/api/tekton/route", xml)).ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, 1000);
            await (await client.PatchAsync("/api/tekton/route", Json("{}"))).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, 1000);
        }
    }

    [Fact]
    public async Task Socket_subscriptions_follow_the_table()
    {
        foreach (var (caller, credential, _) in Callers().Where(c => c.Target != SecuredTekton.ForeignComponent))
        {
            foreach (var path in new[] { "/ws/tekton/heartbeat", "/ws/tekton/state" })
            {
                var allowed = Granted[Permission.Read].Contains(caller);
                var socket = new ClientWebSocket();
                socket.Options.CollectHttpResponseDetails = true;
                var query = credential is null ? string.Empty : "?access_token=" + Uri.EscapeDataString(credential);
                var uri = new Uri(new UriBuilder(_tekton.Server.BaseAddress) { Scheme = "ws", Path = path }.Uri + query);
                if (!allowed)
                {
                    var connect = async () => await socket.ConnectAsync(uri, CancellationToken.None);
                    await connect.Should().ThrowAsync<WebSocketException>($"{caller} may not subscribe on {path}");
                    ((int)socket.HttpStatusCode).Should().Be(caller == "anonymous" ? 401 : 403);
                    socket.Dispose();
                    continue;
                }

                await socket.ConnectAsync(uri, CancellationToken.None);
                await using var events = EventSocket.Wrap(socket);
                await events.SendAsync(path.EndsWith("heartbeat", StringComparison.Ordinal)
                    ? """{"action":"subscribe","component_id":"all"}"""
                    : """{"action":"subscribe","component_types":["all"]}""");
                (await events.ExpectAsync("subscribed")).Should().NotBeNull();
            }
        }
    }

    [Fact]
    public void Every_socket_action_has_a_row_of_the_role_table()
    {
        var expected = new Dictionary<EventChannel, Dictionary<string, Permission>>
        {
            [EventChannel.Heartbeat] = new() { ["subscribe"] = Permission.Read, ["unsubscribe"] = Permission.Read, ["heartbeat"] = Permission.ActAsComponent },
            [EventChannel.State] = new() { ["subscribe"] = Permission.Read, ["unsubscribe"] = Permission.Read },
        };

        SocketAccess.Actions.Keys.Should().BeEquivalentTo(Enum.GetValues<EventChannel>(), "every channel needs its actions' rows");
        foreach (var channel in Enum.GetValues<EventChannel>())
        {
            EventSocketSession.HandledActions(channel).Should().BeEquivalentTo(SocketAccess.Actions[channel].Keys,
                $"every action the {channel} socket handles needs a row of the role table, and every row an action");
            SocketAccess.Actions[channel].Should().Equal(expected[channel], $"the {channel} socket's actions are in these rows of design §11");
        }
    }

    [Fact]
    public async Task Socket_heartbeats_are_only_for_the_callers_own_component()
    {
        var cases = new (string Credential, string ComponentId, bool Allowed)[]
        {
            (SecuredTekton.AdminKey, SecuredTekton.ForeignComponent, true),
            (_tekton.ComponentKey, SecuredTekton.OwnComponent, true),
            (_tekton.ComponentKey, SecuredTekton.ForeignComponent, false),
            (_tekton.MonitorKey, SecuredTekton.OwnComponent, false),
        };
        foreach (var (credential, componentId, allowed) in cases)
        {
            await using var socket = await EventSocket.ConnectAsync(_tekton.Server, "/ws/tekton/heartbeat",
                options => options.SetRequestHeader("Authorization", "Bearer " + credential));
            await socket.SendAsync($$"""{"action":"heartbeat","component_id":"{{componentId}}"}""");
            var answer = await socket.ReceiveAsync();
            if (allowed)
            {
                answer!["event"]!.GetValue<string>().Should().Be("heartbeat_received", answer.ToJsonString());
            }
            else
            {
                answer!["event"]!.GetValue<string>().Should().Be("error");
                answer["code"]!.GetValue<int>().Should().Be(1008);
            }
        }
    }

    [Fact]
    public async Task Hub_methods_follow_the_table()
    {
        typeof(TektonHub).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync"))
            .Select(m => m.Name)
            .Should().BeEquivalentTo(HubAccess.Methods.Keys, "every hub method needs a row of the role table");

        foreach (var (caller, credential, _) in Callers().Where(c => c.Target != SecuredTekton.ForeignComponent))
        {
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(_tekton.Server.BaseAddress, "/hubs/tekton"), options => options.AccessTokenProvider = () => Task.FromResult(credential))
                .Build();
            var allowed = Granted[Permission.Read].Contains(caller);
            if (!allowed)
            {
                var start = async () => await hub.StartAsync();
                (await start.Should().ThrowAsync<HttpRequestException>($"{caller} may not use the hub"))
                    .Which.StatusCode.Should().Be(caller == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden);
                continue;
            }

            await hub.StartAsync();
            foreach (var (method, args) in HubCalls())
            {
                var answer = await hub.InvokeCoreAsync<System.Text.Json.JsonElement>(method, args);
                answer.GetProperty("event").GetString().Should().BeOneOf("subscribed", "unsubscribed");
            }
        }
    }

    private static IEnumerable<(string Method, object?[] Args)> HubCalls() =>
    [
        ("SubscribeHeartbeats", ["all"]),
        ("SubscribeHeartbeatsSince", ["all", 0L]),
        ("UnsubscribeHeartbeats", ["all"]),
        ("SubscribeStateChanges", [new[] { "all" }]),
        ("SubscribeStateChangesFor", [new[] { "all" }, new[] { SecuredTekton.OwnComponent }, null]),
        ("UnsubscribeStateChanges", [new[] { "all" }]),
    ];

    /// <summary>Each kind of caller, its credential and the component id it names in paths.</summary>
    private IEnumerable<(string Caller, string? Credential, string Target)> Callers() =>
    [
        ("anonymous", null, "ghost"),
        ("admin", SecuredTekton.AdminKey, "ghost"),
        ("component", _tekton.ComponentKey, SecuredTekton.OwnComponent),
        ("component", _tekton.ComponentKey, SecuredTekton.ForeignComponent),
        ("monitor", _tekton.MonitorKey, "ghost"),
        ("user", _tekton.UserKey, "ghost"),
    ];

    private static string Expected(Permission permission, string caller, string target)
    {
        if (!Granted[permission].Contains(caller))
        {
            return caller == "anonymous" ? "401" : "403";
        }

        return permission == Permission.ActAsComponent && caller == "component" && target != SecuredTekton.OwnComponent ? "403" : "allowed";
    }

    private static (string Method, string Path) Request(string key, string target)
    {
        var method = key[..key.IndexOf(' ')];
        var path = key[(key.IndexOf(' ') + 1)..]
            .Replace("{component_id}", target, StringComparison.Ordinal)
            .Replace("{instance_uuid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{model_id}", "no-such-model", StringComparison.Ordinal)
            .Replace("{key_id}", "key_nosuch", StringComparison.Ordinal);
        if (path.EndsWith("/signals", StringComparison.Ordinal))
        {
            path += "?wait=1";
        }

        return (method != "*" ? method : path.EndsWith("/negotiate", StringComparison.Ordinal) ? "POST" : "GET", path);
    }

    private IEnumerable<(string Key, Permission? Permission)> Endpoints() =>
        _tekton.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => ($"{method} /{e.RoutePattern.RawText!.Trim('/')}", e.Metadata.GetMetadata<RequiredPermission>()?.Permission)));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
