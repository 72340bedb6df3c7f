using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Infrastructure.Cluster;

/// <summary>
/// This process's claim to its node name among nodes sharing a PostgreSQL database: a row of <c>cluster_nodes</c>
/// naming this process, renewed every third of <see cref="NodeOptions.LeaseSeconds"/> like the expiry lease. At
/// start the name is taken once no other process renewed it for a lease (a killed node's row expires; a live one's
/// does not), else Tekton refuses to start: two processes with one name would both supervise that node's processes.
/// </summary>
public sealed partial class NodePresence(
    IDbContextFactory<TektonDbContext> contexts,
    IOptions<NodeOptions> node,
    ILogger<NodePresence> logger) : BackgroundService
{
    /// <summary>Identifies this process in <c>cluster_nodes</c> and in the messages between nodes.</summary>
    public Guid Process { get; } = Guid.NewGuid();

    /// <summary>True once this process holds its node name.</summary>
    public bool Claimed { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var lease = TimeSpan.FromSeconds(node.Value.LeaseSeconds);
        // A row left by a killed process expires within one lease of its last renewal.
        var deadline = Stopwatch.GetTimestamp() + (long)((lease.TotalSeconds * 4 / 3 + 1) * Stopwatch.Frequency);
        var waiting = false;
        while (!await TryClaimAsync(lease, cancellationToken))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException(
                    $"Another Tekton process is running as node '{node.Value.Name}': it renewed its row in cluster_nodes within the last {lease.TotalSeconds} s. " +
                    "Give every node its own Tekton:Node:Name (set it explicitly in containers, whose machine names may repeat).");
            }

            if (!waiting)
            {
                LogWaiting(node.Value.Name, lease.TotalSeconds);
                waiting = true;
            }

            await Task.Delay(lease / 6, cancellationToken);
        }

        Claimed = true;
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            await db.Database.ExecuteSqlAsync($"DELETE FROM cluster_nodes WHERE name = {node.Value.Name} AND process = {Process}", CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogRenewFailed(exception);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lease = TimeSpan.FromSeconds(node.Value.LeaseSeconds);
        using var timer = new PeriodicTimer(lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (!await TryClaimAsync(lease, stoppingToken))
                    {
                        LogTaken(node.Value.Name);
                    }
                }
                catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogRenewFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> TryClaimAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var holder = await db.Database.SqlQuery<Guid>($"""
            INSERT INTO cluster_nodes (name, process, seen_at)
            VALUES ({node.Value.Name}, {Process}, clock_timestamp())
            ON CONFLICT (name) DO UPDATE SET process = EXCLUDED.process, seen_at = EXCLUDED.seen_at
            WHERE cluster_nodes.process = EXCLUDED.process OR cluster_nodes.seen_at < clock_timestamp() - make_interval(secs => {lease.TotalSeconds})
            RETURNING process AS "Value"
            """).ToListAsync(cancellationToken);
        return holder.Count == 1;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node name {Node} was renewed by another process within the last {LeaseSeconds} s; waiting to see whether that process is gone")]
    private partial void LogWaiting(string node, double leaseSeconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Another process took node name {Node} after this one could not renew it; give every node its own Tekton:Node:Name")]
    private partial void LogTaken(string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing this node's row in cluster_nodes failed")]
    private partial void LogRenewFailed(Exception exception);
}
