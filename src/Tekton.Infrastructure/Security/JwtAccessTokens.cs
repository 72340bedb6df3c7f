using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tekton.Application.Security;
using Tekton.Domain.Security;

namespace Tekton.Infrastructure.Security;

/// <summary>
/// HS256 JWTs for API keys. The signing key is <c>Tekton:Auth:SigningKey</c> when configured, else the one the
/// <see cref="ISigningKeySource"/> keeps: a file in the data folder (SQLite), or a row every node shares (PostgreSQL).
/// Validation accepts HS256 only, with issuer, audience and lifetime checked (30 s of clock skew).
/// </summary>
internal sealed class JwtAccessTokens : IAccessTokens
{
    public const string Issuer = "tekton";
    public const string Audience = "tekton";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key;
    private readonly TokenValidationParameters _validation;
    private readonly AuthOptions _options;
    private readonly TimeProvider _clock;

    public JwtAccessTokens(IOptions<AuthOptions> options, ISigningKeySource source, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        var key = string.IsNullOrEmpty(_options.SigningKey) ? source.Key : Convert.FromBase64String(_options.SigningKey);
        _key = new SymmetricSecurityKey(key) { KeyId = "tekton" };
        _validation = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) => Lifetime(notBefore, expires),
        };
    }

    public AccessToken Issue(ApiKey key)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { ["role"] = key.Role.WireName() };
        if (key.ComponentId is not null)
        {
            claims["component_id"] = key.ComponentId;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", key.Id)]),
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(_options.TokenLifetimeSeconds),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        return new AccessToken(token, _options.TokenLifetimeSeconds);
    }

    public async Task<(string? KeyId, DateTimeOffset Expires, string? Error)> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid)
        {
            return (null, default, result.Exception switch
            {
                SecurityTokenExpiredException or SecurityTokenNoExpirationException or SecurityTokenNotYetValidException or SecurityTokenInvalidLifetimeException => "The token has expired or is not yet valid.",
                SecurityTokenInvalidAlgorithmException => "The token is not signed with HS256.",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature is not valid.",
                _ => "The token is not valid.",
            });
        }

        return result.ClaimsIdentity.FindFirst("sub")?.Value is { Length: > 0 } keyId
            ? (keyId, new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero), null)
            : (null, default, "The token names no API key.");
    }

    private bool Lifetime(DateTime? notBefore, DateTime? expires)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var skew = _validation.ClockSkew;
        return expires is { } end && now < end.ToUniversalTime() + skew && (notBefore is not { } start || now >= start.ToUniversalTime() - skew);
    }
}

/// <summary>Where the HS256 key of tokens is kept when <c>Tekton:Auth:SigningKey</c> is not set.</summary>
internal interface ISigningKeySource
{
    byte[] Key { get; }
}

/// <summary>One node: 32 random bytes in <c>jwt-signing.key</c> (mode 0600) in the data folder, made at the first use, so tokens outlive a restart.</summary>
internal sealed class SigningKeyFile(DataFolder dataFolder) : ISigningKeySource
{
    public const string FileName = "jwt-signing.key";

    public byte[] Key
    {
        get
        {
            var path = Path.Combine(dataFolder.Path, FileName);
            if (File.Exists(path))
            {
                return Convert.FromBase64String(File.ReadAllText(path).Trim());
            }

            var key = RandomNumberGenerator.GetBytes(32);
            SecretFile.Write(path, Convert.ToBase64String(key));
            return key;
        }
    }
}
