using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;

namespace Tekton.Infrastructure.Heartbeats;

/// <summary>Writes heartbeat times behind, every <see cref="HeartbeatOptions.FlushIntervalSeconds"/> and once more at shutdown.</summary>
internal sealed partial class HeartbeatFlusher(
    HeartbeatTable heartbeats,
    IRegistryWriter writer,
    IOptions<HeartbeatOptions> options,
    TimeProvider clock,
    ILogger<HeartbeatFlusher> logger) : PeriodicService(clock, logger)
{
    // A field, not the captured parameter: the parameter also goes to the base class.
    private readonly ILogger<HeartbeatFlusher> _logger = logger;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.FlushIntervalSeconds);

    protected override Task TickAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var taken = heartbeats.TakeUnflushed();
        if (taken.Count == 0)
        {
            return;
        }

        try
        {
            await writer.WriteAsync(
                write =>
                {
                    foreach (var heartbeat in taken)
                    {
                        write.Find(heartbeat.ComponentId)?.FindInstance(heartbeat.InstanceUuid)?.RecordHeartbeat(
                            heartbeat.Timestamp, heartbeat.Health is { } health ? ViewMapper.SerializeHealth(health) : null);
                    }

                    return taken.Count;
                },
                cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFlushFailed(exception, taken.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} heartbeat times behind failed; the next flush retries newer ones")]
    private partial void LogFlushFailed(Exception exception, int count);
}
