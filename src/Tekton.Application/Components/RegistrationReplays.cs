using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tekton.Application.Common;

namespace Tekton.Application.Components;

/// <summary>
/// The first answer to each registration sent with an <c>Idempotency-Key</c>, so that a retry (the client timed
/// out, the connection dropped) gets the same answer and creates no second instance. Records are written in the
/// same transaction as the registration they answer, so a retry after a crash finds them, and kept for
/// <see cref="Retention"/>.
/// </summary>
public sealed class RegistrationReplays(IServiceScopeFactory scopes, TimeProvider clock)
{
    public const int MaxKeyLength = 255;
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, RegistrationReplay> _byKey = new(StringComparer.Ordinal);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
        foreach (var replay in await db.RegistrationReplays.AsNoTracking().ToListAsync(cancellationToken))
        {
            _byKey[replay.Key] = replay;
        }
    }

    public RegistrationReplay? Find(string key) => _byKey.TryGetValue(key, out var replay) ? replay : null;

    /// <summary>Called on the writer's loop, inside the registration's write: the record joins its transaction.</summary>
    public void Record(RegistryWrite write, RegistrationReplay replay)
    {
        write.Db.RegistrationReplays.Add(replay);
        _byKey[replay.Key] = replay;
    }

    /// <summary>Forgets a record whose write did not commit.</summary>
    public void Forget(string key) => _byKey.TryRemove(key, out _);

    /// <summary>Deletes the records older than <see cref="Retention"/>.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - Retention;
        var old = _byKey.Values.Where(r => r.CreatedAt < cutoff).Select(r => r.Key).ToList();
        if (old.Count == 0)
        {
            return;
        }

        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
        foreach (var chunk in old.Chunk(500))
        {
            await db.RegistrationReplays.Where(r => chunk.Contains(r.Key)).ExecuteDeleteAsync(cancellationToken);
        }

        old.ForEach(key => _byKey.TryRemove(key, out _));
    }

    /// <summary>What identifies a registration's content: a retry must send the same body.</summary>
    public static string Fingerprint(RegisterComponent command) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(command with { IdempotencyKey = null })));
}

/// <summary>A row of <c>registration_replays</c>.</summary>
public sealed class RegistrationReplay
{
    public required string Key { get; init; }

    public required string ComponentId { get; init; }

    public Guid InstanceUuid { get; init; }

    public bool Created { get; init; }

    public required string Fingerprint { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Loads the records at start and prunes them hourly.</summary>
public sealed class RegistrationReplayUpkeep(RegistrationReplays replays, TimeProvider clock, ILogger<RegistrationReplayUpkeep> logger)
    : PeriodicService(clock, logger)
{
    protected override TimeSpan Period => TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await replays.LoadAsync(cancellationToken);
        await replays.PruneAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task TickAsync(CancellationToken cancellationToken) => replays.PruneAsync(cancellationToken);
}
