using Mediator;
using Microsoft.Extensions.Options;
using Tekton.Application.Events;
using Tekton.Domain.Errors;
using Tekton.Web.Infrastructure;
using Tekton.Web.Security;
using Tekton.Domain.Security;
using Tekton.Application.Security;
using Microsoft.AspNetCore.Authentication;

namespace Tekton.Web.Events;

/// <summary>The event sockets: <c>/ws/tekton/heartbeat</c> and <c>/ws/tekton/state</c> (design §10).</summary>
public static partial class EventSockets
{
    public const string HeartbeatPath = "/ws/tekton/heartbeat";
    public const string StatePath = "/ws/tekton/state";

    public static IEndpointRouteBuilder MapEventSockets(this IEndpointRouteBuilder app)
    {
        app.Map(HeartbeatPath, (HttpContext http) => AcceptAsync(http, EventChannel.Heartbeat)).RequirePermission(Permission.Read).ExcludeFromDescription();
        app.Map(StatePath, (HttpContext http) => AcceptAsync(http, EventChannel.State)).RequirePermission(Permission.Read).ExcludeFromDescription();
        return app;
    }

    private static async Task AcceptAsync(HttpContext http, EventChannel channel)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw new TektonException(ErrorCode.GeneralError,
                $"{http.Request.Path} is a WebSocket endpoint: connect with a WebSocket client (ws://{http.Request.Host}{http.Request.Path}).");
        }

        var services = http.RequestServices;
        var connections = services.GetRequiredService<EventConnections>();
        var options = services.GetRequiredService<IOptions<EventOptions>>().Value;
        if (!connections.TryOpen())
        {
            throw new UnavailableException(
                $"Tekton already holds {options.MaxConnections} event connections (Tekton:Events:MaxConnections); try again later.", retryAfterSeconds: 5);
        }

        try
        {
            var caller = Caller.From(http.User) ?? Caller.Local;
            var revoked = caller.KeyId is { } keyId ? services.GetRequiredService<ApiKeys>().RevocationOf(keyId) : CancellationToken.None;
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var session = new EventSocketSession(
                socket,
                channel,
                services.GetRequiredService<EventBus>(),
                services.GetRequiredService<IMediator>(),
                options,
                services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventSockets)),
                caller,
                services.GetRequiredService<AuditTrail>(),
                http,
                services.GetRequiredService<EventFanout>());
            var expires = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc;
            await session.RunAsync(services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping, http.RequestAborted, expires, revoked);
        }
        finally
        {
            connections.Close();
        }
    }
}
