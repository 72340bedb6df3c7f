using Tekton.Domain.Security;

namespace Tekton.Application.Security;

/// <summary>A key as listed: never the secret, only its first characters.</summary>
public sealed record ApiKeyView(string Id, string Name, string Role, string? ComponentId, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyView From(ApiKey key) =>
        new(key.Id, key.Name, key.Role.WireName(), key.ComponentId, key.Prefix, key.CreatedAt, key.LastUsedAt);
}

public sealed record ApiKeyList(IReadOnlyList<ApiKeyView> Keys);

/// <summary>The answer to a create: the only time the secret is shown.</summary>
public sealed record CreatedApiKey(string Id, string Name, string Role, string? ComponentId, string ApiKey, DateTimeOffset CreatedAt);

public sealed record TokenResult(string AccessToken, string TokenType, int ExpiresIn, string Role, string? ComponentId);

public sealed record AuditList(IReadOnlyList<AuditEntryView> Entries, long? NextBeforeId);

public sealed record AuditEntryView(
    long Id, DateTimeOffset At, string Actor, string? KeyId, string? Role, string Action, string Method, string Path,
    string? Target, string Outcome, int Status, string? ClientAddress, string? Detail)
{
    public static AuditEntryView From(AuditEntry e) =>
        new(e.Id, e.At, e.Actor, e.KeyId, e.Role, e.Action, e.Method, e.Path, e.Target, e.Outcome, e.Status, e.ClientAddress, e.Detail);
}
