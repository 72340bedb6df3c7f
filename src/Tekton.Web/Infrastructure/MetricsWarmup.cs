using Prometheus;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// prometheus-net starts listening to .NET meters only at its first collection, so counters recorded before
/// the first scrape would be lost; one collection at startup makes every count from boot on visible.
/// </summary>
internal sealed class MetricsWarmup : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
