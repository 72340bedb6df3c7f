using System.Collections.Concurrent;

namespace Tekton.Application.Lifecycle;

/// <summary>The last heartbeat of one instance, as received.</summary>
public sealed record HeartbeatRecord(
    string ComponentId,
    Guid InstanceUuid,
    DateTimeOffset Timestamp,
    IReadOnlyDictionary<string, string>? Health);

/// <summary>
/// Heartbeats live here, in memory: the hot path never waits for the database. The times are written behind
/// by <c>HeartbeatFlusher</c>; a crash loses at most one flush interval of heartbeat times (design §12).
/// </summary>
public sealed class HeartbeatTable(TimeProvider? clock = null)
{
    /// <summary>Heard this much later on the monotonic clock, a heartbeat with an older wall time is still the newer one: the wall clock went back.</summary>
    private static readonly TimeSpan WallClockSlack = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<Guid, Heard> _latest = new();
    private readonly ConcurrentDictionary<Guid, byte> _unflushed = new();

    // Heartbeats known only from the database (sent before a restart), placed on the monotonic clock once.
    private readonly ConcurrentDictionary<Guid, long> _restored = new();

    public int Count => _latest.Count;

    public void Record(HeartbeatRecord heartbeat)
    {
        var heard = new Heard(heartbeat, _clock.GetTimestamp());
        _latest.AddOrUpdate(
            heartbeat.InstanceUuid,
            static (_, arguments) => arguments.Heard,
            static (_, previous, arguments) => arguments.Table.Newest(arguments.Heard, previous),
            (Table: this, Heard: heard));
        _unflushed.TryAdd(heartbeat.InstanceUuid, 0);
    }

    /// <summary>A heartbeat another node received (and writes behind itself): kept for reads and expiry, not flushed here.</summary>
    public void RecordRelayed(HeartbeatRecord heartbeat)
    {
        var heard = new Heard(heartbeat, _clock.GetTimestamp());
        _latest.AddOrUpdate(
            heartbeat.InstanceUuid,
            heard,
            (_, previous) => Newest(heard with { Heartbeat = heartbeat with { Health = heartbeat.Health ?? previous.Heartbeat.Health } }, previous));
    }

    public HeartbeatRecord? Latest(Guid instanceUuid) => _latest.TryGetValue(instanceUuid, out var heard) ? heard.Heartbeat : null;

    /// <summary>
    /// How long ago the instance was last heard from, on the monotonic clock, so that a jump of the wall clock
    /// neither expires a live instance nor keeps a silent one alive; null when it never sent a heartbeat. A
    /// heartbeat known only from the database (<paramref name="stored"/>, sent before a restart) is placed on the
    /// monotonic clock the first time it is asked about, by its wall-clock age then.
    /// </summary>
    public TimeSpan? SinceLast(Guid instanceUuid, DateTimeOffset? stored)
    {
        if (_latest.TryGetValue(instanceUuid, out var heard))
        {
            return _clock.GetElapsedTime(heard.At);
        }

        if (stored is not { } at)
        {
            return null;
        }

        var age = Math.Max(0, (_clock.GetUtcNow() - at).TotalSeconds);
        return _clock.GetElapsedTime(_restored.GetOrAdd(instanceUuid, _clock.GetTimestamp() - (long)(age * _clock.TimestampFrequency)));
    }

    /// <summary>Takes the heartbeats received since the last call, for writing behind.</summary>
    public IReadOnlyList<HeartbeatRecord> TakeUnflushed()
    {
        var taken = new List<HeartbeatRecord>(_unflushed.Count);
        foreach (var uuid in _unflushed.Keys)
        {
            if (_unflushed.TryRemove(uuid, out _) && _latest.TryGetValue(uuid, out var heard))
            {
                taken.Add(heard.Heartbeat);
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
            _restored.TryRemove(uuid, out _);
        }
    }

    /// <summary>
    /// The newer wall time wins (heartbeats racing in); one heard clearly later wins whatever its wall time, and
    /// either way the instance counts as heard at the later of the two moments.
    /// </summary>
    private Heard Newest(Heard candidate, Heard previous)
    {
        var later = Math.Max(candidate.At, previous.At);
        var newer = candidate.Heartbeat.Timestamp >= previous.Heartbeat.Timestamp
            || _clock.GetElapsedTime(previous.At, candidate.At) > WallClockSlack;
        var kept = newer ? candidate : previous;
        return kept.At == later ? kept : kept with { At = later };
    }

    private sealed record Heard(HeartbeatRecord Heartbeat, long At);
}
