using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tekton.Web.Tests.Security;

/// <summary>Tokens from POST /api/tekton/auth/token: what is accepted, and every way a token is refused.</summary>
public sealed class TokenTests : IAsyncLifetime
{
    private SecuredTekton _tekton = null!;

    public async Task InitializeAsync() => _tekton = await SecuredTekton.StartAsync();

    public async Task DisposeAsync() => await _tekton.DisposeAsync();

    [Fact]
    public async Task A_token_stands_for_its_key_with_the_keys_role()
    {
        using var client = _tekton.ClientFor(null);
        using var response = await client.PostAsJsonAsync("/api/tekton/auth/token", new { api_key = _tekton.MonitorKey });
        var answer = await response.ReadObjectAsync();
        answer["token_type"]!.GetValue<string>().Should().Be("Bearer");
        answer["expires_in"]!.GetValue<int>().Should().Be(3600);
        answer["role"]!.GetValue<string>().Should().Be("monitor");

        using var monitor = _tekton.ClientFor(answer["access_token"]!.GetValue<string>());
        (await monitor.GetAsync("/api/tekton/components")).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await monitor.PostAsync("/api/tekton/components/alpha/start", null)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, 1008);
    }

    [Fact]
    public async Task Keys_are_also_accepted_as_X_API_Key()
    {
        using var client = _tekton.ClientFor(null);
        client.DefaultRequestHeaders.Add("X-API-Key", _tekton.MonitorKey);
        (await client.GetAsync("/api/tekton/components")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unknown_key_gets_no_token()
    {
        using var client = _tekton.ClientFor(null);
        using var response = await client.PostAsJsonAsync("/api/tekton/auth/token", new { api_key = "tk_" + new string('x', 43) });
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, 1008);
    }

    [Fact]
    public async Task Expired_forged_tampered_and_wrong_algorithm_tokens_are_refused()
    {
        var good = await _tekton.TokenAsync(_tekton.MonitorKey);
        var keyId = new JsonWebToken(good).Subject;
        var signingKey = Convert.FromBase64String(File.ReadAllText(Path.Combine(_tekton.Server.DataDirectory, "jwt-signing.key")).Trim());
        var now = DateTime.UtcNow;

        var refused = new Dictionary<string, string>
        {
            ["expired"] = Sign(signingKey, SecurityAlgorithms.HmacSha256, keyId, now.AddHours(-2), now.AddMinutes(-5)),
            ["forged (another key)"] = Sign(new byte[32], SecurityAlgorithms.HmacSha256, keyId, now, now.AddHours(1)),
            ["wrong algorithm (HS512 with the right key)"] = SignHs512(signingKey, keyId, now),
            ["tampered (role raised)"] = Tamper(good),
            ["unsigned (alg none)"] = Unsigned(keyId, now),
            ["for a key that does not exist"] = Sign(signingKey, SecurityAlgorithms.HmacSha256, "key_0000000000000000", now, now.AddHours(1)),
            ["not a token"] = "not-a-token",
        };

        using (var control = _tekton.ClientFor(Sign(signingKey, SecurityAlgorithms.HmacSha256, keyId, now, now.AddHours(1))))
        {
            (await control.GetAsync("/api/tekton/components")).StatusCode.Should().Be(HttpStatusCode.OK, "a token made the same way but valid is accepted");
        }

        foreach (var (name, token) in refused)
        {
            using var client = _tekton.ClientFor(token);
            using var response = await client.GetAsync("/api/tekton/components");
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, name);
            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, 1008);
            response.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token", name);
        }
    }

    [Fact]
    public async Task A_revoked_key_and_its_tokens_stop_working_at_once()
    {
        var secret = await _tekton.CreateKeyAsync("short-lived", "monitor");
        var token = await _tekton.TokenAsync(secret);
        using var admin = _tekton.ClientFor(SecuredTekton.AdminKey);
        var keys = (await admin.GetFromJsonAsync<JsonObject>("/api/tekton/auth/keys"))!["keys"]!.AsArray();
        var listed = keys.Single(k => k!["name"]!.GetValue<string>() == "short-lived")!;
        listed["prefix"]!.GetValue<string>().Should().Be(secret[..11]);
        listed["last_used_at"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), "the token request used the key");
        keys.ToJsonString().Should().NotContain(secret, "a key's secret is never listed");

        (await admin.DeleteAsync($"/api/tekton/auth/keys/{listed["id"]!.GetValue<string>()}")).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var credential in new[] { secret, token })
        {
            using var client = _tekton.ClientFor(credential);
            await (await client.GetAsync("/api/tekton/components")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, 1008);
        }
    }

    [Fact]
    public async Task Revoking_a_key_closes_the_sockets_and_hub_connections_opened_with_it_or_its_tokens()
    {
        var secret = await _tekton.CreateKeyAsync("watcher", "monitor");
        var token = await _tekton.TokenAsync(secret);
        var other = await _tekton.TokenAsync(_tekton.MonitorKey);

        async Task<EventSocket> OpenAsync(string credential)
        {
            var client = new System.Net.WebSockets.ClientWebSocket();
            var uri = new UriBuilder(_tekton.Server.BaseAddress) { Scheme = "ws", Path = "/ws/tekton/state", Query = "access_token=" + Uri.EscapeDataString(credential) }.Uri;
            await client.ConnectAsync(uri, CancellationToken.None);
            var socket = EventSocket.Wrap(client);
            await socket.SendAsync("""{"action":"subscribe","component_types":["all"]}""");
            (await socket.ExpectAsync("subscribed")).Should().NotBeNull();
            return socket;
        }

        await using var byKey = await OpenAsync(secret);
        await using var byToken = await OpenAsync(token);
        await using var unrelated = await OpenAsync(other);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_tekton.Server.BaseAddress, "/hubs/tekton"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var hubClosed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += error =>
        {
            hubClosed.TrySetResult(error);
            return Task.CompletedTask;
        };
        await hub.StartAsync();
        (await hub.InvokeAsync<System.Text.Json.JsonElement>("SubscribeStateChanges", new[] { "all" })).GetProperty("event").GetString().Should().Be("subscribed");

        using var admin = _tekton.ClientFor(SecuredTekton.AdminKey);
        var keys = (await admin.GetFromJsonAsync<JsonObject>("/api/tekton/auth/keys"))!["keys"]!.AsArray();
        var id = keys.Single(k => k!["name"]!.GetValue<string>() == "watcher")!["id"]!.GetValue<string>();
        (await admin.DeleteAsync($"/api/tekton/auth/keys/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var socket in new[] { byKey, byToken })
        {
            (await socket.ReceiveAsync(TimeSpan.FromSeconds(15))).Should().BeNull("the server closes a socket opened with the revoked key");
            socket.Socket.CloseStatus.Should().Be(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation);
            socket.Socket.CloseStatusDescription.Should().Be("credentials revoked");
        }

        await hubClosed.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // A connection opened with another key keeps receiving events.
        await admin.PostAsJsonAsync("/api/tekton/components", new { component_id = "after-revoke", component_name = "After", component_type = "service", version = "1.0.0" });
        (await unrelated.ExpectAsync("state_change")).Should().NotBeNull();
    }

    [Fact]
    public async Task A_socket_opened_with_a_token_is_closed_when_the_token_expires()
    {
        var good = await _tekton.TokenAsync(_tekton.MonitorKey);
        var signingKey = Convert.FromBase64String(File.ReadAllText(Path.Combine(_tekton.Server.DataDirectory, "jwt-signing.key")).Trim());
        var shortLived = Sign(signingKey, SecurityAlgorithms.HmacSha256, new JsonWebToken(good).Subject, DateTime.UtcNow.AddSeconds(-1), DateTime.UtcNow.AddSeconds(2));

        var client = new System.Net.WebSockets.ClientWebSocket();
        var uri = new UriBuilder(_tekton.Server.BaseAddress) { Scheme = "ws", Path = "/ws/tekton/state", Query = "access_token=" + Uri.EscapeDataString(shortLived) }.Uri;
        await client.ConnectAsync(uri, CancellationToken.None);
        await using var socket = EventSocket.Wrap(client);
        await socket.SendAsync("""{"action":"subscribe","component_types":["all"]}""");
        (await socket.ExpectAsync("subscribed")).Should().NotBeNull();

        (await socket.ReceiveAsync(TimeSpan.FromSeconds(15))).Should().BeNull("the server closes the socket");
        socket.Socket.CloseStatus.Should().Be(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation);
        socket.Socket.CloseStatusDescription.Should().Be("credentials expired");
    }

    [Fact]
    public async Task Bad_key_and_token_requests_are_refused_by_field()
    {
        using var admin = _tekton.ClientFor(SecuredTekton.AdminKey);
        var cases = new (object Body, string Field)[]
        {
            (new { name = "x", role = "root" }, "role"),
            (new { name = "", role = "monitor" }, "name"),
            (new { name = "x", role = "component" }, "component_id"),
            (new { name = "x", role = "monitor", component_id = "alpha" }, "component_id"),
            (new { name = "x", role = "component", component_id = "not valid!" }, "component_id"),
            (new { name = "launch:alpha", role = "monitor" }, "name"),
        };
        foreach (var (body, field) in cases)
        {
            using var response = await admin.PostAsJsonAsync("/api/tekton/auth/keys", body);
            (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000))["errors"]![field].Should().NotBeNull(field);
        }

        using var unknownField = await admin.PostAsync("/api/tekton/auth/keys",
            new StringContent("""{"name":"x","role":"admin","secret":"mine"}""", System.Text.Encoding.UTF8, "application/json"));
        (await unknownField.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000))["errors"]!["secret"].Should().NotBeNull();

        using var anonymous = _tekton.ClientFor(null);
        using var noKey = await anonymous.PostAsJsonAsync("/api/tekton/auth/token", new { });
        (await noKey.ShouldBeProblemAsync(HttpStatusCode.BadRequest, 1000))["errors"]!["api_key"].Should().NotBeNull();
        await (await admin.DeleteAsync("/api/tekton/auth/keys/key_nosuch")).ShouldBeProblemAsync(HttpStatusCode.NotFound, 1000);
        (await admin.GetFromJsonAsync<JsonObject>("/api/tekton/auth/keys"))!["keys"]!.AsArray().Should().HaveCount(4, "nothing refused was stored");
    }

    [Fact]
    public async Task Keys_and_the_signing_key_survive_a_restart()
    {
        var token = await _tekton.TokenAsync(_tekton.MonitorKey);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(_tekton.Server.DataDirectory, "jwt-signing.key"))
                .Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "the signing key is readable by Tekton's user only");
        }

        await _tekton.Server.RestartAsync();

        foreach (var credential in new[] { _tekton.MonitorKey, token })
        {
            using var client = _tekton.ClientFor(credential);
            (await client.GetAsync("/api/tekton/components")).StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    [Fact]
    public void The_database_holds_only_the_SHA_256_of_a_key_never_the_key()
    {
        var secret = _tekton.MonitorKey;
        var expectedHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

        var row = new Dictionary<string, string?>();
        using (var connection = new SqliteConnection($"Data Source={_tekton.Server.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM api_keys WHERE name = 'monitor-key'";
            using var reader = command.ExecuteReader();
            reader.Read().Should().BeTrue("the key was created");
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            reader.Read().Should().BeFalse();
        }

        row["hash"].Should().Be(expectedHash);
        row["prefix"].Should().Be(secret[..11]);
        var randomPart = secret[3..];
        row.Values.Should().NotContain(v => v != null && (v.Contains(secret, StringComparison.Ordinal) || v.Contains(randomPart, StringComparison.Ordinal)),
            "neither the key nor its random part is stored");
    }

    private static string Sign(byte[] key, string algorithm, string keyId, DateTime notBefore, DateTime expires) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "tekton",
            Audience = "tekton",
            Subject = new ClaimsIdentity([new Claim("sub", keyId)]),
            Claims = new Dictionary<string, object> { ["role"] = "monitor" },
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), algorithm),
        });

    /// <summary>The same token with a payload claiming another subject, and the original signature.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["role"] = "admin";
        payload["exp"] = payload["exp"]!.GetValue<long>() + 3600;
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }

    private static string SignHs512(byte[] key, string keyId, DateTime now)
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"HS512","typ":"JWT"}""");
        var exp = new DateTimeOffset(now.AddHours(1)).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode($$"""{"iss":"tekton","aud":"tekton","sub":"{{keyId}}","role":"monitor","exp":{{exp}}}""");
        var signature = Base64UrlEncoder.Encode(System.Security.Cryptography.HMACSHA512.HashData(key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string Unsigned(string keyId, DateTime now)
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var exp = new DateTimeOffset(now.AddHours(1)).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode($$"""{"iss":"tekton","aud":"tekton","sub":"{{keyId}}","role":"admin","exp":{{exp}}}""");
        return $"{header}.{payload}.";
    }
}
