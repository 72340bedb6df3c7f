using Microsoft.Extensions.Hosting;

namespace Tekton.Application.Common;

/// <summary>
/// Background work on a fixed period of the injected <see cref="TimeProvider"/>: <see cref="TickAsync"/> runs
/// once per period, never twice at once, until the host stops.
/// </summary>
public abstract class PeriodicService(TimeProvider clock) : BackgroundService
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
                await TickAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
