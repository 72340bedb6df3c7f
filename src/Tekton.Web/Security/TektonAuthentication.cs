using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tekton.Application.Security;

namespace Tekton.Web.Security;

/// <summary>
/// The one authentication scheme (design §11). Credentials are an API key (<c>tk_...</c>) or a JWT from
/// <c>POST /api/tekton/auth/token</c>, sent as <c>Authorization: Bearer</c> or <c>X-API-Key</c>; the event
/// sockets and the hub also take <c>?access_token=</c> (browsers cannot set headers on a WebSocket).
/// With auth off every request is <see cref="Caller.Local"/>.
/// </summary>
public sealed class TektonAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth,
    ApiKeys keys,
    IAccessTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Tekton";
    public const string ApiKeyHeader = "X-API-Key";
    public const string QueryParameter = "access_token";

    /// <summary>The reason credentials were refused, kept for the 401 answer (the framework keeps only successes).</summary>
    private const string FailureItem = "tekton:authentication_failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!auth.Value.Enabled)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(Caller.LocalPrincipal, SchemeName));
        }

        var credential = Credential(Request);
        if (credential is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (credential.StartsWith(ApiKey.SecretPrefix, StringComparison.Ordinal))
        {
            return keys.Authenticate(credential) is { } key
                ? Success(new Caller(key.Name, key.Role, key.Id, key.ComponentId), null)
                : Fail("The API key is not valid (unknown or revoked).");
        }

        var (keyId, expires, error) = await tokens.ValidateAsync(credential);
        if (keyId is null)
        {
            return Fail(error!);
        }

        if (keys.FindForToken(keyId) is not { } owner)
        {
            return Fail("The token's API key has been revoked.");
        }

        return Success(new Caller(owner.Name, owner.Role, owner.Id, owner.ComponentId), expires);
    }

    /// <summary>401: the problem body is written by <see cref="AccessDeniedWriter"/>; here only the challenge header.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = Challenge(Context);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    /// <summary>Why the credentials sent with this request were refused; null when none were sent.</summary>
    public static string? FailureOf(HttpContext context) => context.Items.TryGetValue(FailureItem, out var failure) ? failure as string : null;

    /// <summary>The <c>WWW-Authenticate</c> value: RFC 6750's, with <c>invalid_token</c> when a credential was sent and refused.</summary>
    public static string Challenge(HttpContext context) => FailureOf(context) is { } failure
        ? $"Bearer realm=\"tekton\", error=\"invalid_token\", error_description=\"{failure.Replace("\"", "'", StringComparison.Ordinal)}\""
        : "Bearer realm=\"tekton\"";

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureItem] = reason;
        return AuthenticateResult.Fail(reason);
    }

    private static string? Credential(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        if (request.Headers[ApiKeyHeader].ToString() is { Length: > 0 } header)
        {
            return header.Trim();
        }

        return IsEventChannel(request.Path) && request.Query[QueryParameter].ToString() is { Length: > 0 } query ? query : null;
    }

    private static bool IsEventChannel(PathString path) =>
        path.StartsWithSegments("/ws", StringComparison.Ordinal) || path.StartsWithSegments("/hubs", StringComparison.Ordinal);

    private AuthenticateResult Success(Caller caller, DateTimeOffset? expires) =>
        AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), new AuthenticationProperties { ExpiresUtc = expires }, SchemeName));
}
