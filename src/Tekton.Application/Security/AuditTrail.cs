using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;

namespace Tekton.Application.Security;

/// <summary>
/// The durable audit trail (design §11). Entries are queued and committed in batches by one writer loop;
/// <see cref="RecordAsync"/> completes when its entry is committed, so an Admin action is answered only after it
/// is on disk. The queue is bounded: when a flood of denied requests fills it, further entries are dropped and
/// counted (the <c>audit.dropped</c> counter in /metrics) rather than growing memory without bound. Only the newest
/// <see cref="AuditOptions.MaxEntries"/> rows are kept.
/// </summary>
public sealed partial class AuditTrail : BackgroundService
{
    public const int QueueCapacity = 10_000;
    private const int MaxBatch = 256;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IServiceScopeFactory _scopes;
    private readonly AuditOptions _options;
    private readonly ILogger<AuditTrail> _logger;
    private readonly Counter<long> _dropped;
    private readonly TimeProvider _clock;
    private long _sinceTrim;

    public AuditTrail(IServiceScopeFactory scopes, IOptions<AuditOptions> options, ILogger<AuditTrail> logger, IMeterFactory meters, TimeProvider clock)
    {
        _clock = clock;
        _scopes = scopes;
        _options = options.Value;
        _logger = logger;
        _dropped = meters.Create("Tekton").CreateCounter<long>("audit.dropped", "{entry}", description: "Audit entries dropped because the audit queue was full");
    }

    /// <summary>Queues an entry; the task completes when it is committed (or faults when the write fails).</summary>
    public Task RecordAsync(AuditEntry entry)
    {
        if (entry.At == default)
        {
            entry.At = _clock.GetUtcNow();
        }

        var pending = new Pending(entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            _dropped.Add(1);
            return Task.CompletedTask;
        }

        return pending.Committed.Task;
    }

    /// <summary>The newest entries first, before the id <paramref name="beforeId"/> when given.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(int limit, long? beforeId, string? outcome, CancellationToken cancellationToken)
    {
        using var scope = _scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
        var query = db.AuditEntries.AsNoTracking();
        if (beforeId is { } before)
        {
            query = query.Where(e => e.Id < before);
        }

        if (outcome is not null)
        {
            query = query.Where(e => e.Outcome == outcome);
        }

        return await query.OrderByDescending(e => e.Id).Take(limit).ToListAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(reader, batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is queued is still written below.
        }

        _queue.Writer.TryComplete();
        await DrainAsync(reader, batch);
    }

    private async Task DrainAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                using var scope = _scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<ITektonDbContext>();
                db.AuditEntries.AddRange(batch.Select(p => p.Entry));
                await db.SaveChangesAsync(CancellationToken.None);
                _sinceTrim += batch.Count;
                if (_sinceTrim >= Math.Max(1, _options.MaxEntries / 10))
                {
                    _sinceTrim = 0;
                    var newest = await db.AuditEntries.MaxAsync(e => (long?)e.Id) ?? 0;
                    await db.AuditEntries.Where(e => e.Id <= newest - _options.MaxEntries).ExecuteDeleteAsync();
                }

                batch.ForEach(p => p.Committed.TrySetResult());
            }
            catch (Exception exception)
            {
                LogWriteFailed(exception, batch.Count);
                batch.ForEach(p => p.Committed.TrySetException(exception));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} audit entries failed")]
    private partial void LogWriteFailed(Exception exception, int count);

    private sealed record Pending(AuditEntry Entry, TaskCompletionSource Committed);
}
