using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Tekton.Application.Lifecycle;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Infrastructure.Cluster;

/// <summary>
/// The heartbeat-expiry lease of nodes sharing a PostgreSQL database: one row in <c>cluster_leases</c> names its
/// holder and when it expires, in the database's clock. The holder renews it every third of
/// <see cref="NodeOptions.LeaseSeconds"/>; any node takes it once it has expired, so a node that stops (or is
/// killed) hands expiry to another within one lease. A node counts itself the holder only until its own last
/// renewal plus two thirds of the lease, which stays inside the row's expiry however late it learns of a lost renewal.
/// </summary>
public sealed partial class ExpiryLease(
    IDbContextFactory<TektonDbContext> contexts,
    IOptions<NodeOptions> node,
    ILogger<ExpiryLease> logger) : BackgroundService, IExpiryLease
{
    public const string Name = "heartbeat_expiry";

    private long _heldUntil;

    public bool Held => Stopwatch.GetTimestamp() < Interlocked.Read(ref _heldUntil);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lease = TimeSpan.FromSeconds(node.Value.LeaseSeconds);
        using var timer = new PeriodicTimer(lease / 3);
        var wasHeld = false;
        do
        {
            var asked = Stopwatch.GetTimestamp();
            bool held;
            try
            {
                held = await TryTakeAsync(lease, stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogRenewFailed(exception);
                held = false;
            }

            Interlocked.Exchange(ref _heldUntil, held ? asked + (long)(lease.TotalSeconds * 2 / 3 * Stopwatch.Frequency) : 0);
            if (held != wasHeld)
            {
                LogChanged(node.Value.Name, held);
                wasHeld = held;
            }
        }
        while (await WaitAsync(timer, stoppingToken));

        if (wasHeld)
        {
            await ReleaseAsync();
        }
    }

    private async Task<bool> TryTakeAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var holder = await db.Database.SqlQuery<string>($"""
            INSERT INTO cluster_leases (name, holder, expires_at)
            VALUES ({Name}, {node.Value.Name}, clock_timestamp() + make_interval(secs => {lease.TotalSeconds}))
            ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE cluster_leases.holder = EXCLUDED.holder OR cluster_leases.expires_at < clock_timestamp()
            RETURNING holder AS "Value"
            """).ToListAsync(cancellationToken);
        return holder.Count == 1;
    }

    /// <summary>At a clean stop the lease is given up at once, so another node need not wait for it to expire.</summary>
    private async Task ReleaseAsync()
    {
        Interlocked.Exchange(ref _heldUntil, 0);
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            await db.Database.ExecuteSqlAsync($"DELETE FROM cluster_leases WHERE name = {Name} AND holder = {node.Value.Name}");
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogRenewFailed(exception);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} holds the heartbeat-expiry lease: {Held}")]
    private partial void LogChanged(string node, bool held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking or renewing the heartbeat-expiry lease failed")]
    private partial void LogRenewFailed(Exception exception);
}
