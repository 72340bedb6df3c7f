using System.Threading.Channels;

namespace Tekton.Application.Events;

/// <summary>
/// What a subscriber is sent, in order: a live event, the replayed events of a new subscription (one item,
/// however many), or a notice of the transport's own (an acknowledgement, an error, <see cref="ResyncRequired"/>).
/// </summary>
public readonly record struct Delivery(TektonEvent? Event, IReadOnlyList<TektonEvent>? Replay, object? Notice);

/// <summary>
/// A replay was asked for from a sequence older than the retained window: events were missed, and the
/// subscriber should read the current state again (over REST) before it relies on the live events that follow.
/// </summary>
public sealed record ResyncRequired(EventChannel Channel, long SinceSequence, long OldestSequence, long LatestSequence);

/// <summary>
/// One connection's view of the bus: its subscriptions and its own bounded queue. The bus only ever
/// <em>tries</em> to enqueue; a full queue means the connection fell behind, and the bus drops it
/// (<see cref="Overflowed"/>) rather than wait or buffer without bound (design §10).
/// </summary>
public sealed class EventSubscriber
{
    private readonly Channel<Delivery> _queue;
    private readonly CancellationTokenSource _overflowed = new();
    private readonly Action? _queued;

    public const string WebSocket = "websocket";
    public const string SignalR = "signalr";

    public static readonly IReadOnlyList<string> Transports = [WebSocket, SignalR];

    /// <param name="queued">
    /// Called after each delivery is queued (under the bus's lock, so it must be quick and never wait): how a
    /// transport that drains its subscribers from a fan-out loop, instead of a reader waiting on
    /// <see cref="Reader"/>, learns there is something to send.
    /// </param>
    public EventSubscriber(string transport, int capacity, Action? queued = null)
    {
        Transport = transport;
        _queued = queued;
        _queue = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary><see cref="WebSocket"/> or <see cref="SignalR"/>, for the metrics.</summary>
    public string Transport { get; }

    /// <summary>The subscriptions, changed only under the bus's lock.</summary>
    internal List<EventFilter> Filters { get; } = [];

    public int SubscriptionCount => Filters.Count;

    public ChannelReader<Delivery> Reader => _queue.Reader;

    /// <summary>Cancelled when the subscriber fell behind and was dropped by the bus.</summary>
    public CancellationToken Overflowed => _overflowed.Token;

    public bool IsOverflowed => _overflowed.IsCancellationRequested;

    internal bool Wants(TektonEvent e)
    {
        foreach (var filter in Filters)
        {
            if (filter.Matches(e))
            {
                return true;
            }
        }

        return false;
    }

    internal bool TryEnqueue(Delivery delivery)
    {
        if (!_queue.Writer.TryWrite(delivery))
        {
            return false;
        }

        _queued?.Invoke();
        return true;
    }

    /// <summary>Sends a notice of the transport's own, in order with the events; false when the queue is full.</summary>
    public bool TrySend(object notice) => TryEnqueue(new Delivery(null, null, notice));

    internal void Overflow()
    {
        _queue.Writer.TryComplete();
        _overflowed.Cancel();
    }

    /// <summary>No more deliveries: the reader ends once it has taken what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();
}
