using System.Collections.Concurrent;
using System.Net;

namespace Tekton.Client.Tests.Security;

/// <summary>The client against Tekton with auth on: keys, tokens, the audit trail, and refusals with their codes.</summary>
public sealed class SecuredClientTests : IAsyncLifetime
{
    private TektonServerProcess _server = null!;
    private TektonClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await TektonServerProcess.StartAsync(auth: true);
        _admin = _server.Client(TektonServerProcess.AdminKey);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Keys_are_created_listed_exchanged_for_tokens_and_revoked()
    {
        var created = await _admin.CreateApiKeyAsync("dashboard", TektonRoles.Monitor);
        created.ApiKey.Should().StartWith("tk_");
        (await _admin.ListApiKeysAsync()).Should().Contain(k => k.Id == created.Id && k.Role == TektonRoles.Monitor && created.ApiKey.StartsWith(k.Prefix));

        using var monitor = _server.Client(created.ApiKey);
        var token = await monitor.IssueTokenAsync();
        token.TokenType.Should().Be("Bearer");
        token.Role.Should().Be(TektonRoles.Monitor);
        token.ExpiresIn.Should().BeGreaterThan(0);
        using var withToken = _server.Client(token.Token);
        (await withToken.ListComponentsAsync()).Should().NotBeNull();

        var denied = await FluentActions.Awaiting(() => withToken.StartComponentAsync("anything")).Should().ThrowAsync<TektonApiException>();
        denied.Which.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        denied.Which.Code.Should().Be(1008);

        (await _admin.RevokeApiKeyAsync(created.Id)).Success.Should().BeTrue();
        var revoked = await FluentActions.Awaiting(() => withToken.ListComponentsAsync()).Should().ThrowAsync<TektonApiException>();
        revoked.Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        revoked.Which.Code.Should().Be(1008);

        var audit = await _admin.GetAuditTrailAsync(limit: 50);
        audit.Entries.Should().Contain(e => e.Action == "DeleteApiKey" && e.Outcome == "allowed");
        audit.Entries.Should().Contain(e => e.Outcome == "denied" && e.Status == 403);
        (await _admin.GetAuditTrailAsync(outcome: "denied")).Entries.Should().OnlyContain(e => e.Outcome == "denied");
    }

    [Fact]
    public async Task A_component_key_registers_itself_and_subscribes_with_its_key()
    {
        var key = await _admin.CreateApiKeyAsync("engram", TektonRoles.Component, "engram");
        using var engram = _server.Client(key.ApiKey);
        var beats = new ConcurrentQueue<HeartbeatEvent>();
        await using var subscription = await engram.SubscribeToHeartbeatsAsync("engram", beats.Enqueue);

        var (success, uuid) = await engram.RegisterWithTektonAsync(new ComponentRegistration("engram", "Engram", "memory", "1.0.0") { Host = "127.0.0.1" });
        await engram.SendHeartbeatAsync("engram", new Heartbeat { InstanceUuid = uuid });

        success.Should().BeTrue();
        (await Eventually.TrueAsync(() => beats.Count == 1)).Should().BeTrue();
        var foreign = await engram.RegisterWithTektonAsync(new ComponentRegistration("hermes", "Hermes", "messaging", "1.0.0") { Host = "127.0.0.1" });
        foreign.Success.Should().BeFalse("a component key acts only as its own component");
        foreign.Error.Should().BeOfType<TektonApiException>().Which.Code.Should().Be(1008);
    }

    [Fact]
    public async Task Without_a_valid_key_requests_and_subscriptions_are_refused_with_1008()
    {
        using var anonymous = _server.Client("tk_not-a-key");

        var refused = await FluentActions.Awaiting(() => anonymous.GetSystemResourcesAsync()).Should().ThrowAsync<TektonApiException>();
        refused.Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var socket = await FluentActions.Awaiting(() => anonymous.SubscribeToStateChangesAsync(["all"], _ => { })).Should().ThrowAsync<TektonApiException>();
        socket.Which.Code.Should().Be(1008);
    }
}
