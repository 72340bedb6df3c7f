using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tekton.Application.Common;

/// <summary>
/// Background work on a fixed period of the injected <see cref="TimeProvider"/>: <see cref="TickAsync"/> runs
/// once per period, never twice at once, until the host stops. A tick that throws is logged and the next one
/// runs: a failing write (a full disk) must not end the work, nor stop the host as an unhandled
/// background-service exception would.
/// </summary>
public abstract partial class PeriodicService(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected abstract TimeSpan Period { get; }

    protected abstract Task TickAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogTickFailed(logger, exception, GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A round of {Service} failed; the next one runs on schedule")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string service);
}
