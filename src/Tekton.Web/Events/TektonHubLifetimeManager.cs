using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Tekton.Web.Events;

/// <summary>
/// SignalR's own in-process lifetime manager, which also lets <see cref="HubSubscriptions"/> find a connection's
/// <see cref="HubConnectionContext"/>: that is what can take an event's hub message serialized once for every
/// connection (<see cref="SerializedHubMessage"/>), where <c>IHubContext</c> serializes it again per connection.
/// </summary>
public sealed class TektonHubLifetimeManager(ILogger<DefaultHubLifetimeManager<TektonHub>> logger) : DefaultHubLifetimeManager<TektonHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);

    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }
}
