using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tekton.Infrastructure.Persistence;

/// <summary>
/// At boot, before the server listens: applies pending migrations, loads the registry into memory, and resumes
/// the event stream.
/// </summary>
internal sealed partial class DatabaseInitializer(
    IDbContextFactory<TektonDbContext> contexts,
    GroupCommitWriter writer,
    EventStreamStore eventStream,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                LogMigrating(pending.Count, string.Join(", ", pending));
                await db.Database.MigrateAsync(cancellationToken);
            }
        }

        await writer.LoadAsync(cancellationToken);
        await eventStream.RestoreAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} database migrations: {Migrations}")]
    private partial void LogMigrating(int count, string migrations);
}
