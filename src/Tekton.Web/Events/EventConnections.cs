using Microsoft.Extensions.Options;
using Tekton.Application.Events;

namespace Tekton.Web.Events;

/// <summary>Counts the open event connections (WebSocket and SignalR together) against <see cref="EventOptions.MaxConnections"/>.</summary>
public sealed class EventConnections(IOptions<EventOptions> options)
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) <= options.Value.MaxConnections)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Close() => Interlocked.Decrement(ref _open);
}
