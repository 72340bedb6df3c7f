using System.Collections.Concurrent;
using Tekton.Application.Events;

namespace Tekton.Web.Events;

/// <summary>
/// Sends what the bus queued for the event connections from one fan-out loop on a thread of its own, instead
/// of a pump per connection that the thread pool wakes for every event. Queuing a delivery schedules the
/// connection's <see cref="EventSink"/> (once, however many deliveries wait); the loop then writes everything
/// the connection has queued, in order. Writes that complete at once (the usual case: the socket's buffers
/// have room) cost no thread hop and no task; a connection whose write has to wait (its peer reads slowly)
/// goes on by itself asynchronously and the loop moves on to the next, so one slow connection never holds up
/// the others. Each connection is drained by at most one writer at a time, which keeps its order.
/// </summary>
public sealed partial class EventFanout : IDisposable
{
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<EventSink> _ready = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _awake;
    private volatile bool _disposed;

    public EventFanout(ILogger<EventFanout> logger)
    {
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "Tekton event fan-out" };
        _thread.Start();
    }

    /// <summary>Queues a sink for draining; called by <see cref="EventSink.Wake"/> once per idle-to-ready change.</summary>
    internal void Schedule(EventSink sink)
    {
        _ready.Enqueue(sink);
        if (_disposed)
        {
            // The loop has ended (the host is stopping): whatever still closes is drained on the thread pool.
            DrainOnThreadPool();
            return;
        }

        if (Interlocked.Exchange(ref _awake, 1) == 0)
        {
            _signal.Release();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(5));
        DrainOnThreadPool();
    }

    private void DrainOnThreadPool()
    {
        while (_ready.TryDequeue(out var sink))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Drain(), sink, preferLocal: false);
        }
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _signal.Wait(_stop.Token);
                // Cleared (with a full barrier) before taking from the queue: a sink queued from now on signals again.
                Interlocked.Exchange(ref _awake, 0);
                while (_ready.TryDequeue(out var sink))
                {
                    try
                    {
                        sink.Drain();
                    }
                    catch (Exception exception)
                    {
                        // A transport's own handling failed; the loop goes on for the other connections.
                        LogDrainFailed(exception);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining an event connection failed")]
    private partial void LogDrainFailed(Exception exception);
}

/// <summary>
/// One connection's side of the fan-out: its subscriber's queue and how to write a delivery on its transport.
/// <see cref="Drain"/> runs on the fan-out loop, or asynchronously after a write that had to wait; a sink that
/// is stopped gets <see cref="StoppedAsync"/> once, as its last writer.
/// </summary>
public abstract class EventSink
{
    private readonly EventFanout _fanout;
    private int _scheduled;
    private volatile bool _stopping;

    protected EventSink(EventFanout fanout, string transport, int capacity)
    {
        _fanout = fanout;
        Subscriber = new EventSubscriber(transport, capacity, Wake);
    }

    public EventSubscriber Subscriber { get; }

    /// <summary>Something was queued, or the sink is stopping: make sure a drain will see it.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _fanout.Schedule(this);
        }
    }

    /// <summary>Stops writing deliveries: after the one in progress, <see cref="StoppedAsync"/> runs, once.</summary>
    protected void Stop()
    {
        _stopping = true;
        Wake();
    }

    /// <summary>Writes one delivery; usually completes at once.</summary>
    protected abstract ValueTask SendAsync(Delivery delivery);

    /// <summary>A write failed: the transport decides what to do with the connection. Nothing more is written.</summary>
    protected abstract void Failed(Exception exception);

    /// <summary>After <see cref="Stop"/>: the last thing this sink runs (e.g. a closing handshake).</summary>
    protected abstract Task StoppedAsync();

    /// <summary>Writes what is queued. Called by the fan-out loop while this sink is scheduled.</summary>
    internal void Drain()
    {
        var reader = Subscriber.Reader;
        while (true)
        {
            while (!_stopping && reader.TryRead(out var delivery))
            {
                ValueTask sent;
                try
                {
                    sent = SendAsync(delivery);
                    if (sent.IsCompletedSuccessfully)
                    {
                        sent.GetAwaiter().GetResult();
                        continue;
                    }
                }
                catch (Exception exception)
                {
                    Fail(exception);
                    return;
                }

                _ = DrainAsync(sent);
                return;
            }

            if (!Release())
            {
                return;
            }
        }
    }

    /// <summary>The same as <see cref="Drain"/>, after a write that did not complete at once, off the fan-out loop.</summary>
    private async Task DrainAsync(ValueTask pending)
    {
        var reader = Subscriber.Reader;
        try
        {
            await pending;
            while (true)
            {
                while (!_stopping && reader.TryRead(out var delivery))
                {
                    await SendAsync(delivery);
                }

                if (!Release())
                {
                    return;
                }
            }
        }
        catch (Exception exception)
        {
            Fail(exception);
        }
    }

    /// <summary>
    /// Done for now: unschedules the sink, unless it is stopping (then runs <see cref="StoppedAsync"/> and stays
    /// scheduled for good) or more arrived meanwhile and no one else took it. True when the caller goes on draining.
    /// </summary>
    private bool Release()
    {
        if (_stopping)
        {
            _ = StoppedAsync();
            return false;
        }

        // A full barrier: the check below must not be read before the flag is cleared, or a delivery queued
        // in between would wake no one.
        Interlocked.Exchange(ref _scheduled, 0);
        if (!_stopping && Subscriber.Reader.Count == 0)
        {
            return false;
        }

        return Interlocked.Exchange(ref _scheduled, 1) == 0;
    }

    private void Fail(Exception exception)
    {
        _stopping = true;
        Failed(exception);
        _ = StoppedAsync();
    }
}
