using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Events;
using Tekton.Infrastructure.Cluster;

namespace Tekton.Infrastructure.Persistence;

/// <summary>
/// Where the event stream meets the disk: at boot it restarts the sequence after the last reserved number
/// and refills the state channel's replay window from the recorded state changes; afterwards it raises the
/// reservation whenever <see cref="EventSequence"/> asks. With several nodes (Redis), the recorded state changes
/// carry the numbers of the nodes that committed them, not this node's, so the window starts empty instead and a
/// client replaying from before the restart is told to resync.
/// </summary>
public sealed partial class EventStreamStore(
    IDbContextFactory<TektonDbContext> contexts,
    EventSequence sequence,
    EventBus events,
    IOptions<EventOptions> options,
    IOptions<RedisOptions> redis,
    ILogger<EventStreamStore> logger)
{
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var reservation = await db.EventSequenceReservations.FindAsync([EventSequenceReservation.SingletonId], cancellationToken);
        var lastRecorded = await db.StateChanges.MaxAsync(s => (long?)s.Sequence, cancellationToken) ?? 0;

        // Numbers up to the old reservation may have been handed out (to heartbeats) before the last stop.
        var last = Math.Max(reservation?.ReservedThrough ?? 0, lastRecorded);
        if (reservation is null)
        {
            reservation = new EventSequenceReservation();
            db.EventSequenceReservations.Add(reservation);
        }

        reservation.ReservedThrough = last + EventSequence.BlockSize;
        await db.SaveChangesAsync(cancellationToken);
        sequence.Start(last, reservation.ReservedThrough, ReserveAsync, LogReserveFailed);

        if (!string.IsNullOrWhiteSpace(redis.Value.ConnectionString))
        {
            events.Restore([], statesCompleteAfter: last, heartbeatsCompleteAfter: last);
            LogRestored(last, 0);
            return;
        }

        var retained = options.Value.RetainedEvents;
        var recent = await db.StateChanges.AsNoTracking()
            .OrderByDescending(s => s.Sequence).Take(retained).ToListAsync(cancellationToken);
        recent.Reverse();
        var statesCompleteAfter = recent.Count < retained ? 0 : recent[0].Sequence - 1;
        events.Restore(recent, statesCompleteAfter, heartbeatsCompleteAfter: last);
        LogRestored(last, recent.Count);
    }

    private async Task ReserveAsync(long reservedThrough)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.EventSequenceReservations
            .Where(r => r.Id == EventSequenceReservation.SingletonId && r.ReservedThrough < reservedThrough)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.ReservedThrough, reservedThrough));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream resumes after sequence {Last}; {Count} state changes held for replay")]
    private partial void LogRestored(long last, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reserving event sequence numbers failed; retrying")]
    private partial void LogReserveFailed(Exception exception);
}
