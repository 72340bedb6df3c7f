namespace Tekton.Client;

/// <summary>What <see cref="TektonClient.StartHeartbeat(string, TimeSpan, HeartbeatOptions?)"/> sends.</summary>
public sealed class HeartbeatOptions
{
    /// <summary>The instance the heartbeats are for; default: the component's current instance.</summary>
    public Guid? InstanceUuid { get; set; }

    /// <summary>Builds each heartbeat (status, metrics, health); its <c>InstanceUuid</c> defaults to <see cref="InstanceUuid"/>.</summary>
    public Func<Heartbeat>? Build { get; set; }

    /// <summary>Called when a heartbeat fails; the loop goes on.</summary>
    public Action<Exception>? OnError { get; set; }
}

/// <summary>
/// Heartbeats sent in the background every interval until <see cref="StopAsync"/>. A failed heartbeat is
/// counted and reported to <see cref="HeartbeatOptions.OnError"/>; the next one is sent on time.
/// </summary>
public sealed class HeartbeatLoop : IAsyncDisposable
{
    private readonly TektonClient _client;
    private readonly string _componentId;
    private readonly HeartbeatOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;
    private long _sent;
    private long _failed;

    internal HeartbeatLoop(TektonClient client, string componentId, TimeSpan interval, HeartbeatOptions? options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _client = client;
        _componentId = componentId;
        _options = options ?? new HeartbeatOptions();
        Interval = interval;
        _timer = new PeriodicTimer(interval, client.Options.TimeProvider);
        _loop = RunAsync();
    }

    /// <summary>The time between heartbeats.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Heartbeats Tekton accepted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Heartbeats that failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The answer to the latest accepted heartbeat.</summary>
    public HeartbeatResult? LastResult { get; private set; }

    /// <summary>The latest failure.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Stops sending and waits for a heartbeat in flight to finish.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            _timer.Dispose();
        }

        await _loop.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        do
        {
            try
            {
                var heartbeat = _options.Build?.Invoke() ?? new Heartbeat();
                heartbeat = heartbeat with { InstanceUuid = heartbeat.InstanceUuid ?? _options.InstanceUuid };
                LastResult = await _client.SendHeartbeatAsync(_componentId, heartbeat, _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Interlocked.Increment(ref _failed);
                LastError = exception;
                _options.OnError?.Invoke(exception);
            }
        }
        while (await WaitForNextAsync().ConfigureAwait(false));
    }

    private async Task<bool> WaitForNextAsync()
    {
        try
        {
            return await _timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

public sealed partial class TektonClient
{
    /// <summary>
    /// Starts sending heartbeats for <paramref name="componentId"/> every <paramref name="interval"/>, the first
    /// at once. Stop them with <see cref="HeartbeatLoop.StopAsync"/>.
    /// </summary>
    public HeartbeatLoop StartHeartbeat(string componentId, TimeSpan interval, HeartbeatOptions? options = null) =>
        new(this, componentId, interval, options);

    /// <summary>As the reference's <c>start_heartbeat(component_id, interval=10)</c>, with the interval in seconds.</summary>
    public HeartbeatLoop StartHeartbeat(string componentId, double interval = 10, Guid? instanceUuid = null) =>
        new(this, componentId, TimeSpan.FromSeconds(interval), new HeartbeatOptions { InstanceUuid = instanceUuid });
}
