using System.Collections.Concurrent;
using System.Diagnostics;
using Prometheus;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// Counts and times every HTTP request for <c>/metrics</c>, under the names and labels prometheus-net's HTTP
/// middleware uses (<c>http_requests_received_total</c> and <c>http_request_duration_seconds</c> by <c>code</c>,
/// <c>method</c>, <c>controller</c>, <c>action</c>, <c>endpoint</c>), so dashboards built for it keep working.
/// Each label set's series are looked up once and kept per endpoint, status and method; prometheus-net's
/// middleware looks the labels up on every request, which measured a fifth of the server's CPU on the cheapest
/// endpoint (docs/performance.md). Methods outside the standard ones count as <c>OTHER</c>, so a client cannot
/// grow the set of series without bound.
/// </summary>
internal sealed class RequestMetrics(RequestDelegate next)
{
    private static readonly string[] LabelNames = ["code", "method", "controller", "action", "endpoint"];

    private static readonly Counter Received = Metrics.CreateCounter(
        "http_requests_received_total",
        "Provides the count of HTTP requests that have been processed by the ASP.NET Core pipeline.",
        new CounterConfiguration { LabelNames = LabelNames, ExemplarBehavior = ExemplarBehavior.NoExemplars() });

    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "http_request_duration_seconds",
        "The duration of HTTP requests processed by an ASP.NET Core application.",
        new HistogramConfiguration
        {
            LabelNames = LabelNames,
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 16),
            ExemplarBehavior = ExemplarBehavior.NoExemplars(),
        });

    private static readonly Gauge InProgress = Metrics.CreateGauge(
        "http_requests_in_progress",
        "The number of requests currently in progress in the ASP.NET Core pipeline.");

    private static readonly PathString MetricsPath = "/metrics";

    private static readonly string[] StandardMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    // Process-wide, as the series are: an endpoint object belongs to one host, so hosts in one process never share a key.
    private static readonly ConcurrentDictionary<Key, Series> SeriesByKey = new();

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(MetricsPath))
        {
            await next(context);
            return;
        }

        var started = Begin();
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            End(context, status, started);
        }
    }

    /// <summary>
    /// Counts a request as in progress from now; <see cref="End"/> counts and times it. For <see cref="Endpoints.HotPaths"/>,
    /// which answers its requests ahead of this middleware.
    /// </summary>
    public static long Begin()
    {
        InProgress.Inc();
        return Stopwatch.GetTimestamp();
    }

    /// <summary>A request that <see cref="Begin"/> counted, answered with <paramref name="status"/>, under its endpoint and method.</summary>
    public static void End(HttpContext context, int status, long started)
    {
        InProgress.Dec();
        var key = new Key(context.GetEndpoint(), status, MethodOf(context.Request.Method));
        if (!SeriesByKey.TryGetValue(key, out var series))
        {
            series = SeriesByKey.GetOrAdd(key, Create);
        }

        series.Received.Inc();
        series.Duration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>A request that <see cref="Begin"/> counted and that goes on through this middleware, which counts it again.</summary>
    public static void Abandon() => InProgress.Dec();

    private static string MethodOf(string method)
    {
        foreach (var standard in StandardMethods)
        {
            if (ReferenceEquals(method, standard) || string.Equals(method, standard, StringComparison.OrdinalIgnoreCase))
            {
                return standard;
            }
        }

        return "OTHER";
    }

    private static Series Create(Key key)
    {
        var endpoint = (key.Endpoint as RouteEndpoint)?.RoutePattern.RawText ?? string.Empty;
        string[] labels = [key.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), key.Method, string.Empty, string.Empty, endpoint];
        return new Series(Received.WithLabels(labels), Duration.WithLabels(labels));
    }

    private readonly record struct Key(Endpoint? Endpoint, int Status, string Method);

    private sealed record Series(Counter.Child Received, Histogram.Child Duration);
}
