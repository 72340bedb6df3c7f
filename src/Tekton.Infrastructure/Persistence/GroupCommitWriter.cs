using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Events;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Infrastructure.Persistence;

/// <summary>
/// The registry's one writer (design §12). Changes queue on a channel; the loop lets the changes on their way join
/// (<see cref="GatherAsync"/>), takes every change that is waiting (up to <see cref="DatabaseOptions.MaxBatchSize"/>), applies each to the working set, commits them
/// all in one transaction, publishes the new read snapshot and the group's state-change events, and only then
/// completes the callers. One fsync is shared by the whole group, which is what lifts durable writes from
/// ~1,300/s to several thousand. On SQLite the group's new rows (registered components, their instances, state
/// changes) are inserted by <see cref="SqliteGroupInserts"/>'s prepared statements, after EF saved the rest, in the
/// same transaction.
/// </summary>
/// <remarks>
/// A change that throws <see cref="TektonException"/> has, by contract, changed nothing and fails alone.
/// Any other exception, or a failed commit, fails the whole group and reloads the working set from the
/// database, so memory never holds what the disk does not.
/// </remarks>
public sealed partial class GroupCommitWriter : IHostedService, IRegistryWriter
{
    /// <summary>How many times the loop lets writes on their way join a group before it takes the group (see <see cref="GatherAsync"/>).</summary>
    internal const int MaxGatherYields = 4;

    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly IDbContextFactory<TektonDbContext> _contexts;
    private readonly Registry _registry;
    private readonly RegistryProjection _projection;
    private readonly TimeProvider _clock;
    private readonly EventSequence _sequence;
    private readonly EventBus _events;
    private readonly ILogger<GroupCommitWriter> _logger;
    private readonly SqliteGroupInserts? _inserts;
    private readonly int _maxBatch;
    private readonly Histogram<int> _groupSize;
    private readonly Histogram<double> _commitDuration;
    private Task _loop = Task.CompletedTask;
    private TektonDbContext? _db;

    // Writes queued and not yet taken by the loop (the unbounded channel of one reader does not count them).
    private int _waiting;

    public GroupCommitWriter(
        IDbContextFactory<TektonDbContext> contexts,
        Registry registry,
        RegistryProjection projection,
        TimeProvider clock,
        EventSequence sequence,
        EventBus events,
        IOptions<DatabaseOptions> options,
        IMeterFactory meters,
        ILogger<GroupCommitWriter> logger,
        SqliteGroupInserts? inserts = null)
    {
        _inserts = inserts;
        _contexts = contexts;
        _registry = registry;
        _projection = projection;
        _clock = clock;
        _sequence = sequence;
        _events = events;
        _logger = logger;
        _maxBatch = options.Value.MaxBatchSize;
        // prometheus-net exports "{meter}_{instrument}": tekton_components, tekton_registry_commit_group_size, ...
        var meter = meters.Create("Tekton");
        _groupSize = meter.CreateHistogram<int>("registry.commit.group_size", "{write}", "Writes committed together in one transaction");
        _commitDuration = meter.CreateHistogram<double>("registry.commit.duration", "s", "Time to commit one group, fsync included");
        meter.CreateObservableGauge("components", CountByStatus, "{component}", "Registered components by status");
    }

    public ValueTask<T> WriteAsync<T>(Func<RegistryWrite, T> change, CancellationToken cancellationToken = default)
    {
        var pending = new PendingWrite<T>(change, cancellationToken);
        if (!Enqueue(pending))
        {
            throw new RegistryWriteFailedException("Tekton is shutting down and accepts no more writes.");
        }

        return new ValueTask<T>(pending.Task);
    }

    /// <summary>
    /// With several nodes: receives the ids of the components and state changes each group committed here, to
    /// tell the other nodes.
    /// </summary>
    public Action<IReadOnlyCollection<string>, IReadOnlyList<long>>? Committed { get; set; }

    /// <summary>
    /// Another node committed changes to <paramref name="componentIds"/> and recorded the state changes
    /// <paramref name="stateChangeIds"/>: they are read from the database on this writer's loop, between its own
    /// groups, so the working set, the snapshot and the state channel stay in step with the database.
    /// </summary>
    public void Refresh(IReadOnlyList<string> componentIds, IReadOnlyList<long> stateChangeIds) =>
        Enqueue(new RefreshWrite(componentIds, stateChangeIds));

    /// <summary>Loads the registry from the database into the working set and the read projection.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var components = await db.Components.AsNoTracking().Include(c => c.Instances).AsSplitQuery().ToListAsync(cancellationToken);
        _registry.Clear();
        foreach (var component in components)
        {
            _registry.Add(component);
        }

        _projection.Reset(_registry.All);
        LogLoaded(components.Count);
    }

    /// <summary>
    /// Starts the loop unconditionally. (A BackgroundService's ExecuteAsync may never run when the host stops
    /// right after starting, which would strand every queued write.)
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Refuses new writes, and finishes the ones already queued before it returns.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken);
    }

    private bool Enqueue(PendingWrite pending)
    {
        Interlocked.Increment(ref _waiting);
        if (_queue.Writer.TryWrite(pending))
        {
            return true;
        }

        Interlocked.Decrement(ref _waiting);
        return false;
    }

    private async Task RunAsync()
    {
        var group = new List<PendingWrite>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await GatherAsync();
            group.Clear();
            RefreshWrite? refresh = null;
            while (group.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                Interlocked.Decrement(ref _waiting);
                if (pending is RefreshWrite r)
                {
                    // A group boundary: what came before is committed and published first.
                    refresh = r;
                    break;
                }

                group.Add(pending);
            }

            try
            {
                if (group.Count > 0)
                {
                    await CommitAsync(group);
                }

                if (refresh is not null)
                {
                    await RefreshAsync(refresh);
                }
            }
            catch (Exception exception)
            {
                // Never let the loop die: every later write would wait forever.
                LogChangeFailed(exception);
                await AbandonAsync(group, exception);
            }
        }

        // No more writes: the writer's statements, context and connection close with its loop (the statements first:
        // they belong to the connection).
        _inserts?.Close();
        if (_db is not null)
        {
            await _db.DisposeAsync();
            _db = null;
        }
    }

    /// <summary>
    /// Lets the writes that are on their way join the group before it is taken: the loop yields to the thread pool,
    /// where the answers of the last group and the requests that follow them are waiting to run, and yields again
    /// while that made the queue grow, at most <see cref="MaxGatherYields"/> times. Under load a group then holds
    /// about half as many writes again (with 64 clients registering on one core: 25 became 33-38), and every commit's fixed cost,
    /// its fsync first, is shared by more of them; alone, a write waits one pass of the thread pool, microseconds
    /// against the fsync's hundreds.
    /// </summary>
    private async ValueTask GatherAsync()
    {
        for (var i = 0; i < MaxGatherYields; i++)
        {
            var waiting = Volatile.Read(ref _waiting);
            if (waiting >= _maxBatch)
            {
                return;
            }

            await Task.Yield();
            if (Volatile.Read(ref _waiting) <= waiting)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Commits a group with the writer's context, kept from group to group with its tracker cleared after each (a
    /// context made per group cost a few percent of a registration); after a failure it is replaced.
    /// </summary>
    private async Task CommitAsync(List<PendingWrite> group)
    {
        var db = _db ??= await _contexts.CreateDbContextAsync();
        var kept = false;
        try
        {
            kept = await CommitAsync(group, db);
        }
        finally
        {
            if (kept)
            {
                db.ChangeTracker.Clear();
            }
            else
            {
                _db = null;
                _inserts?.Close();
                await db.DisposeAsync();
            }
        }
    }

    /// <summary>False when the group failed as a whole (the context is then not used again).</summary>
    private async Task<bool> CommitAsync(List<PendingWrite> group, TektonDbContext db)
    {
        var started = Stopwatch.GetTimestamp();
        var write = new RegistryWrite(db, _registry, _clock, _sequence, insertsByStore: _inserts is not null, changes: group.Count);
        var applied = new List<PendingWrite>(group.Count);
        for (var i = 0; i < group.Count; i++)
        {
            var pending = group[i];
            if (pending.CancellationToken.IsCancellationRequested)
            {
                pending.Fail(new OperationCanceledException(pending.CancellationToken));
                continue;
            }

            try
            {
                pending.Apply(write);
                applied.Add(pending);
            }
            catch (TektonException exception)
            {
                pending.Fail(exception);
            }
            catch (Exception exception)
            {
                LogChangeFailed(exception);
                await AbandonAsync([.. applied, .. group.Skip(i)], exception);
                return false;
            }
        }

        if (applied.Count == 0)
        {
            return true;
        }

        try
        {
            if (_inserts is not null)
            {
                _inserts.Commit(write, db);
            }
            else
            {
                await db.SaveChangesAsync();
            }
        }
        catch (Exception exception)
        {
            LogCommitFailed(exception, applied.Count);
            await AbandonAsync(applied, exception);
            return false;
        }

        _projection.Publish(_registry, write.Touched);
        _events.Publish(write.StateChanges);
        Committed?.Invoke(write.Touched, write.StateChanges.Select(c => c.Id).ToList());
        _groupSize.Record(applied.Count);
        _commitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        foreach (var pending in applied)
        {
            pending.Complete();
        }

        return true;
    }

    private async Task RefreshAsync(RefreshWrite refresh)
    {
        await using var db = await _contexts.CreateDbContextAsync();
        var ids = refresh.ComponentIds.ToList();
        var fresh = await db.Components.AsNoTracking().Include(c => c.Instances).AsSplitQuery()
            .Where(c => ids.Contains(c.ComponentId)).ToListAsync();
        foreach (var id in ids)
        {
            _registry.Remove(id);
        }

        foreach (var component in fresh)
        {
            _registry.Add(component);
        }

        var changeIds = refresh.StateChangeIds.ToList();
        var changes = changeIds.Count == 0
            ? []
            : await db.StateChanges.AsNoTracking().Where(c => changeIds.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync();
        _projection.Publish(_registry, ids);
        _events.PublishRelayed(changes);
    }

    private async Task AbandonAsync(IEnumerable<PendingWrite> writes, Exception cause)
    {
        var failure = StorageErrors.IsFull(cause)
            ? RegistryWriteFailedException.Full(cause)
            : new RegistryWriteFailedException("The registry could not save this change; nothing was stored. " + Describe(cause), cause);
        foreach (var pending in writes)
        {
            pending.Fail(failure);
        }

        try
        {
            await LoadAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogReloadFailed(exception);
        }
    }

    private IEnumerable<Measurement<int>> CountByStatus()
    {
        var counts = new int[Enum.GetValues<ComponentState>().Length];
        foreach (var view in _projection.Current.ById.Values)
        {
            counts[(int)view.Status]++;
        }

        return Enum.GetValues<ComponentState>().Select(s => new Measurement<int>(counts[(int)s], new KeyValuePair<string, object?>("status", s.ToWire())));
    }

    private static string Describe(Exception exception) =>
        (exception.InnerException ?? exception).Message;

    [LoggerMessage(Level = LogLevel.Information, Message = "Registry loaded: {Count} components")]
    private partial void LogLoaded(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A registry change failed unexpectedly; its group is abandoned and the registry reloaded")]
    private partial void LogChangeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} registry writes failed; they are abandoned and the registry reloaded")]
    private partial void LogCommitFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Reloading the registry after a failed commit failed")]
    private partial void LogReloadFailed(Exception exception);

    private abstract class PendingWrite(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public abstract void Apply(RegistryWrite write);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class RefreshWrite(IReadOnlyList<string> componentIds, IReadOnlyList<long> stateChangeIds)
        : PendingWrite(CancellationToken.None)
    {
        public IReadOnlyList<string> ComponentIds { get; } = componentIds;

        public IReadOnlyList<long> StateChangeIds { get; } = stateChangeIds;

        public override void Apply(RegistryWrite write)
        {
        }

        public override void Complete()
        {
        }

        public override void Fail(Exception exception)
        {
        }
    }

    private sealed class PendingWrite<T>(Func<RegistryWrite, T> change, CancellationToken cancellationToken)
        : PendingWrite(cancellationToken)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override void Apply(RegistryWrite write) => _result = change(write);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
