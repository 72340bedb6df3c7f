using System.Collections.Concurrent;
using System.Text.Json;

namespace Tekton.Application.Lifecycle;

/// <summary>The last heartbeat of one instance, as received.</summary>
public sealed record HeartbeatRecord(
    string ComponentId,
    Guid InstanceUuid,
    DateTimeOffset Timestamp,
    JsonElement? Metrics,
    IReadOnlyDictionary<string, string>? Health);

/// <summary>
/// Heartbeats live here, in memory: the hot path never waits for the database. The times are written behind
/// by <c>HeartbeatFlusher</c>; a crash loses at most one flush interval of heartbeat times (design §12).
/// </summary>
public sealed class HeartbeatTable
{
    private readonly ConcurrentDictionary<Guid, HeartbeatRecord> _latest = new();
    private readonly ConcurrentDictionary<Guid, byte> _unflushed = new();

    public int Count => _latest.Count;

    public void Record(HeartbeatRecord heartbeat)
    {
        _latest.AddOrUpdate(
            heartbeat.InstanceUuid,
            heartbeat,
            (_, previous) => heartbeat.Timestamp >= previous.Timestamp ? heartbeat : previous);
        _unflushed.TryAdd(heartbeat.InstanceUuid, 0);
    }

    /// <summary>A heartbeat another node received (and writes behind itself): kept for reads and expiry, not flushed here.</summary>
    public void RecordRelayed(HeartbeatRecord heartbeat) =>
        _latest.AddOrUpdate(
            heartbeat.InstanceUuid,
            heartbeat,
            (_, previous) => heartbeat.Timestamp >= previous.Timestamp ? heartbeat with { Health = heartbeat.Health ?? previous.Health } : previous);

    public HeartbeatRecord? Latest(Guid instanceUuid) => _latest.GetValueOrDefault(instanceUuid);

    /// <summary>Takes the heartbeats received since the last call, for writing behind.</summary>
    public IReadOnlyList<HeartbeatRecord> TakeUnflushed()
    {
        var taken = new List<HeartbeatRecord>(_unflushed.Count);
        foreach (var uuid in _unflushed.Keys)
        {
            if (_unflushed.TryRemove(uuid, out _) && _latest.TryGetValue(uuid, out var heartbeat))
            {
                taken.Add(heartbeat);
            }
        }

        return taken;
    }

    public void Forget(IEnumerable<Guid> instanceUuids)
    {
        foreach (var uuid in instanceUuids)
        {
            _latest.TryRemove(uuid, out _);
            _unflushed.TryRemove(uuid, out _);
        }
    }
}
