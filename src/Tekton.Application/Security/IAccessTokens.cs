namespace Tekton.Application.Security;

/// <summary>Signed, short-lived tokens standing for an API key (design §11: HS256 JWTs).</summary>
public interface IAccessTokens
{
    /// <summary>A token for the key, valid for <see cref="AuthOptions.TokenLifetimeSeconds"/>.</summary>
    AccessToken Issue(ApiKey key);

    /// <summary>The id of the key a valid token was issued for and when the token expires; null with the reason when it is not valid.</summary>
    Task<(string? KeyId, DateTimeOffset Expires, string? Error)> ValidateAsync(string token);
}

public sealed record AccessToken(string Token, int ExpiresIn);
