using System.Security.Cryptography;
using System.Text;
using Tekton.Domain.Security;

namespace Tekton.Application.Security;

/// <summary>
/// An API key as a row of the <c>api_keys</c> table: only the SHA-256 of the secret is kept, with the first
/// characters (<see cref="Prefix"/>) so that people can tell their keys apart.
/// </summary>
public sealed class ApiKey
{
    public const string SecretPrefix = "tk_";

    private long _lastUsedTicks;

    public required string Id { get; init; }

    public required string Name { get; init; }

    public required Role Role { get; init; }

    /// <summary>For the Component role: the only component id the key may act as.</summary>
    public string? ComponentId { get; init; }

    /// <summary>Lowercase hex SHA-256 of the whole secret (UTF-8).</summary>
    public required string Hash { get; init; }

    public required string Prefix { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set by every request that uses the key, read by listings: kept as UTC ticks so neither sees half a value.</summary>
    public DateTimeOffset? LastUsedAt
    {
        get => Interlocked.Read(ref _lastUsedTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _lastUsedTicks, value?.UtcTicks ?? 0);
    }

    /// <summary>A new secret: <c>tk_</c> and 32 random bytes, base64url.</summary>
    public static string NewSecret() => SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>What may be shown of a secret: its first 11 characters.</summary>
    public static string PrefixOf(string secret) => secret[..Math.Min(secret.Length, SecretPrefix.Length + 8)];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
