namespace Tekton.Application.Events;

/// <summary>The <c>Tekton:Events</c> section: the live event channels and their limits (design §10, §11).</summary>
public sealed class EventOptions
{
    public const string Section = "Tekton:Events";

    /// <summary>Deliveries one subscriber may have waiting; past this it is a slow consumer and is disconnected.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Events kept per channel for replay with <c>since_sequence</c>.</summary>
    public int RetainedEvents { get; set; } = 10_000;

    /// <summary>Open WebSocket and SignalR connections, together; more are refused with 503.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Subscriptions one connection may hold.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 100;

    /// <summary>The largest message a client may send; a larger one closes the WebSocket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Seconds between keep-alive pings; a peer that does not answer within as long again is dropped.</summary>
    public double KeepAliveSeconds { get; set; } = 15;

    /// <summary>Seconds a closing handshake (slow consumer, shutdown) may take before the connection is aborted.</summary>
    public double CloseTimeoutSeconds { get; set; } = 5;
}
