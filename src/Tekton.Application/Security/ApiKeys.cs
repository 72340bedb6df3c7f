using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tekton.Application.Common;
using Tekton.Domain.Security;

namespace Tekton.Application.Security;

/// <summary>
/// The API keys, held in memory by hash (a lookup per request costs one SHA-256) and written to the
/// <c>api_keys</c> table before a create or delete is answered. A deleted key stops working at once, and so
/// do the tokens issued for it, since a token names its key. <c>last_used_at</c> is kept in memory and
/// written behind by <see cref="FlushLastUsedAsync"/>.
/// </summary>
public sealed class ApiKeys(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Names of the keys Tekton makes for the processes it launches: "launch:" and the component id.</summary>
    public const string LaunchKeyPrefix = "launch:";

    private static readonly TimeSpan TouchResolution = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, ApiKey> _byHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ApiKey> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _revocations = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public int Count => _byId.Count;

    /// <summary>With several nodes: told after each key created or revoked here, so the other nodes reload theirs.</summary>
    public Action? Changed { get; set; }

    /// <summary>
    /// Another node created or revoked keys: the set is read again from the database; a key gone from it is
    /// revoked here too (its connections close).
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
            var stored = await db.ApiKeys.AsNoTracking().ToListAsync(cancellationToken);
            var ids = stored.Select(k => k.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var key in stored)
            {
                _byHash[key.Hash] = key;
                _byId[key.Id] = key;
            }

            foreach (var gone in _byId.Values.Where(k => !ids.Contains(k.Id)).ToList())
            {
                _byId.TryRemove(gone.Id, out _);
                _byHash.TryRemove(gone.Hash, out _);
                _used.TryRemove(gone.Id, out _);
                if (_revocations.TryRemove(gone.Id, out var revocation))
                {
                    revocation.Cancel();
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
        foreach (var key in await db.ApiKeys.AsNoTracking().ToListAsync(cancellationToken))
        {
            _byHash[key.Hash] = key;
            _byId[key.Id] = key;
        }
    }

    /// <summary>The key whose secret this is, or null; marks it used.</summary>
    public ApiKey? Authenticate(string secret)
    {
        if (!secret.StartsWith(ApiKey.SecretPrefix, StringComparison.Ordinal) || !_byHash.TryGetValue(ApiKey.HashOf(secret), out var key))
        {
            return null;
        }

        Touch(key);
        return key;
    }

    /// <summary>The key a token was issued for, while it exists; marks it used.</summary>
    public ApiKey? FindForToken(string keyId)
    {
        if (!_byId.TryGetValue(keyId, out var key))
        {
            return null;
        }

        Touch(key);
        return key;
    }

    /// <summary>
    /// Cancelled when the key is revoked (already cancelled when it no longer exists): what holds a connection open
    /// on the key's credentials, an event socket or a hub connection, closes it then.
    /// </summary>
    public CancellationToken RevocationOf(string keyId)
    {
        if (!_byId.ContainsKey(keyId))
        {
            return new CancellationToken(canceled: true);
        }

        var revocation = _revocations.GetOrAdd(keyId, static _ => new CancellationTokenSource());
        if (!_byId.ContainsKey(keyId))
        {
            // Revoked between the two looks: the delete may have missed this source.
            revocation.Cancel();
        }

        return revocation.Token;
    }

    public IReadOnlyList<ApiKey> List() => [.. _byId.Values.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)];

    /// <summary>Creates a key and returns it with its secret, which is not kept anywhere.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string name, Role role, string? componentId, string? secret, CancellationToken cancellationToken)
    {
        secret ??= ApiKey.NewSecret();
        var key = new ApiKey
        {
            Id = ApiKey.NewId(),
            Name = name,
            Role = role,
            ComponentId = role == Role.Component ? componentId : null,
            Hash = ApiKey.HashOf(secret),
            Prefix = ApiKey.PrefixOf(secret),
            CreatedAt = clock.GetUtcNow(),
        };

        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync(CancellationToken.None);
            _byHash[key.Hash] = key;
            _byId[key.Id] = key;
            Changed?.Invoke();
            return (key, secret);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Revokes a key; false when there is none with this id.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_byId.TryGetValue(id, out var key))
            {
                return false;
            }

            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
            await db.ApiKeys.Where(k => k.Id == id).ExecuteDeleteAsync(CancellationToken.None);
            _byId.TryRemove(id, out _);
            _byHash.TryRemove(key.Hash, out _);
            _used.TryRemove(id, out _);
            if (_revocations.TryRemove(id, out var revocation))
            {
                revocation.Cancel();
            }

            Changed?.Invoke();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A new Component key for a process Tekton launches (its <c>TEKTON_API_KEY</c>), replacing the one the
    /// component's previous process had: only the running process holds a working launch key.
    /// </summary>
    public async Task<string> RenewLaunchKeyAsync(string componentId, CancellationToken cancellationToken)
    {
        await DeleteLaunchKeysAsync(componentId, cancellationToken);
        var (_, secret) = await CreateAsync(LaunchKeyPrefix + componentId, Role.Component, componentId, null, cancellationToken);
        return secret;
    }

    /// <summary>Revokes the launch keys of a component (when it is deregistered).</summary>
    public async Task DeleteLaunchKeysAsync(string componentId, CancellationToken cancellationToken)
    {
        foreach (var old in _byId.Values.Where(k => k.Name == LaunchKeyPrefix + componentId).ToList())
        {
            await DeleteAsync(old.Id, cancellationToken);
        }
    }

    /// <summary>Writes the last-used times that changed since the previous flush.</summary>
    public async Task FlushLastUsedAsync(CancellationToken cancellationToken)
    {
        if (_used.IsEmpty)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
            foreach (var id in _used.Keys)
            {
                if (_used.TryRemove(id, out var at) && _byId.ContainsKey(id))
                {
                    await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, at), CancellationToken.None);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Touch(ApiKey key)
    {
        var now = clock.GetUtcNow();
        if (key.LastUsedAt is { } last && now - last < TouchResolution)
        {
            return;
        }

        key.LastUsedAt = now;
        _used[key.Id] = now;
    }
}
