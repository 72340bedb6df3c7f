using Prometheus;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// Which .NET meters <c>/metrics</c> publishes. prometheus-net's adapter listens to every meter by default, and
/// ASP.NET Core's per-request meters then cost a label look-up under a lock on every request and every buffer
/// rented: measured, a third of the server's CPU on the cheapest endpoint (docs/performance.md). Those are left
/// out; requests are counted and timed by <c>http_requests_received_total</c> and
/// <c>http_request_duration_seconds</c>, and everything else (runtime, Kestrel connections, EF Core, SignalR,
/// Tekton's own meter) is published as before.
/// </summary>
internal static class MeterExport
{
    /// <summary>Meters that record on every request (or on every buffer a request rents).</summary>
    public static readonly IReadOnlySet<string> PerRequestMeters = new HashSet<string>(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.MemoryPool",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.RateLimiting",
    };

    private static int _configured;

    /// <summary>Once per process, before the adapter starts (at the first collection).</summary>
    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 0)
        {
            // The event counter adapter must enable whole event sources to read their counters, and ASP.NET Core's
            // then writes an event per request; the same figures come from the meters (System.Runtime, Kestrel).
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true });
            Metrics.ConfigureMeterAdapter(options =>
                options.InstrumentFilterPredicate = instrument => !PerRequestMeters.Contains(instrument.Meter.Name));
        }
    }
}
