using Microsoft.Extensions.Options;
using Tekton.Application.Security;

namespace Tekton.Web.Security;

/// <summary>
/// Refuses what a web page of another origin could make the operator's browser do: a WebSocket upgrade (the event
/// sockets, the hub's WebSocket transport) or any request other than GET, HEAD and OPTIONS. Browsers apply no CORS
/// to WebSockets, and send a bodiless cross-origin POST (<c>…/start</c>, <c>…/stop</c>) without asking first, so
/// without this any page could drive Tekton — with auth off, through the operator's own loopback. Browsers
/// always send <c>Origin</c> on these requests: same-origin pages (the dashboard) and clients that send none (the
/// SDKs, the CLI, curl) pass; other origins must be listed in <c>Tekton:Auth:AllowedOrigins</c>.
/// </summary>
public sealed class BrowserOrigins(RequestDelegate next, IOptions<AuthOptions> options)
{
    private readonly HashSet<string> _allowed = new(options.Value.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context, IProblemDetailsService problems, AuditTrail audit)
    {
        var request = context.Request;
        var guarded = context.WebSockets.IsWebSocketRequest
                      || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        if (!guarded || request.Headers.Origin is not [{ } origin, ..] || IsAllowed(origin, request))
        {
            return next(context);
        }

        var detail = $"Requests from the web origin '{origin}' are refused: only Tekton's own pages and the origins in Tekton:Auth:AllowedOrigins may write or open event sockets.";
        // Before authentication and routing: the caller is not known yet, and the action is the method and path.
        _ = audit.RecordAsync(AuditRecords.Denied(context, Caller.From(context.User), StatusCodes.Status403Forbidden, detail));
        return AccessDeniedWriter.WriteAsync(context, problems, StatusCodes.Status403Forbidden, detail);
    }

    private bool IsAllowed(string origin, HttpRequest request) =>
        _allowed.Contains("*")
        || _allowed.Contains(origin.TrimEnd('/'))
        || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
}
