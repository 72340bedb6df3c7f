using System.Diagnostics;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// The W3C trace id an error answer and its log line carry (<c>trace_id</c>). While its logger is enabled at any
/// level, ASP.NET Core starts an activity and a log scope for every request, a sixth of the cheapest request's CPU
/// (docs/performance.md), and Tekton writes none of those log lines; so that category is off
/// (<see cref="HostingLogCategory"/>). A tracing listener (OpenTelemetry) still makes ASP.NET Core record
/// activities, and then the activity's id is the trace id. Without one, the id is made on first use, continuing
/// the caller's <c>traceparent</c> trace when one was sent, and kept for the rest of the request.
/// </summary>
internal static class RequestTrace
{
    /// <summary>ASP.NET Core's per-request logger ("Request starting …"), which Tekton turns off.</summary>
    public const string HostingLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private static readonly object Key = new();

    public static string Id(HttpContext context)
    {
        if (Activity.Current?.Id is { } current)
        {
            return current;
        }

        if (context.Items.TryGetValue(Key, out var kept) && kept is string id)
        {
            return id;
        }

        var traceId = ActivityContext.TryParse(context.Request.Headers.TraceParent, null, out var parent)
            ? parent.TraceId
            : ActivityTraceId.CreateRandom();
        var made = $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";
        context.Items[Key] = made;
        return made;
    }
}
