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
internal sealed class RequestMetrics(RequestDelegate next, RequestMeter meter)
{
    private static readonly PathString MetricsPath = "/metrics";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(MetricsPath))
        {
            await next(context);
            return;
        }

        var started = meter.Begin();
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            meter.End(context, status, started);
        }
    }
}

/// <summary>
/// The request series of <see cref="RequestMetrics"/>, one per host, shared with <see cref="Endpoints.HotPaths"/>,
/// which answers its requests ahead of that middleware and counts them here.
/// </summary>
internal sealed class RequestMeter
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

    private static readonly string[] StandardMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    private readonly ConcurrentDictionary<Key, Series> _series = new();

    /// <summary>Counts a request as in progress from now; <see cref="End"/> counts and times it.</summary>
    public long Begin()
    {
        InProgress.Inc();
        return Stopwatch.GetTimestamp();
    }

    /// <summary>A request that <see cref="Begin"/> counted, answered with <paramref name="status"/>, under its endpoint and method.</summary>
    public void End(HttpContext context, int status, long started)
    {
        InProgress.Dec();
        var key = new Key(context.GetEndpoint(), status, MethodOf(context.Request.Method));
        if (!_series.TryGetValue(key, out var series))
        {
            series = _series.GetOrAdd(key, Create);
        }

        series.Received.Inc();
        series.Duration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>A request that <see cref="Begin"/> counted and that goes on through <see cref="RequestMetrics"/>, which counts it again.</summary>
    public void Abandon() => InProgress.Dec();

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
