using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tekton.Client.Hosting;

/// <summary>
/// The host's side of the component's life with Tekton. Starting: register (and wait for dependencies when
/// asked). Started: heartbeats, resource reports and the shutdown listener run; the instance is marked ready.
/// Stopping: the instance is <c>stopping</c>. Stopped: the loops end and the instance is <c>stopped</c>.
/// </summary>
internal sealed partial class TektonComponentService(
    TektonClient client,
    TektonComponentOptions options,
    TektonComponent component,
    IHostApplicationLifetime lifetime,
    ILogger<TektonComponentService> logger) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private HeartbeatLoop? _heartbeats;
    private ResourceReporter? _reporter;
    private Task _listener = Task.CompletedTask;
    private bool _notified;
    private int _disposed;

    private string ComponentId => options.Registration.ComponentId;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var registered = await client.RegisterWithTektonAsync(options.Registration, cancellationToken).ConfigureAwait(false);
        if (!registered.Success)
        {
            throw new InvalidOperationException($"Could not register '{ComponentId}' with Tekton at {client.BaseAddress}: {registered.Message}", registered.Error);
        }

        component.InstanceUuid = registered.InstanceUuid;
        LogRegistered(ComponentId, registered.InstanceUuid, client.BaseAddress);

        if (options.WaitForDependencies && options.Registration.Dependencies is { Count: > 0 } dependencies)
        {
            var (ready, failed) = await client.WaitForDependenciesAsync(dependencies, options.DependencyTimeout, TimeSpan.FromSeconds(1), cancellationToken)
                .ConfigureAwait(false);
            if (!ready)
            {
                throw new InvalidOperationException($"Dependencies of '{ComponentId}' not ready within {options.DependencyTimeout.TotalSeconds:0.#} s: {string.Join(", ", failed)}");
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var instance = component.InstanceUuid;
        var interval = options.HeartbeatInterval ?? TimeSpan.FromSeconds(options.Registration.HeartbeatInterval ?? 10);
        _heartbeats = client.StartHeartbeat(ComponentId, interval, new HeartbeatOptions
        {
            InstanceUuid = instance,
            OnError = exception => LogHeartbeatFailed(ComponentId, exception.Message),
        });
        if (options.ResourceReportInterval is { } every)
        {
            _reporter = new ResourceReporter(client, ComponentId, instance, every)
            {
                OnError = exception => LogReportFailed(ComponentId, exception.Message),
            };
            _reporter.StartAsync();
        }

        _listener = ListenAsync(instance, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.MarkReadyWhenStarted)
        {
            await client.MarkReadyAsync(ComponentId, component.InstanceUuid, "host started", cancellationToken).ConfigureAwait(false);
            LogReady(ComponentId, component.InstanceUuid);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (component.InstanceUuid == Guid.Empty)
        {
            return;
        }

        try
        {
            await client.ChangeInstanceStateAsync(ComponentId, component.InstanceUuid, ComponentStates.Stopping, "host stopping", cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TektonApiException or HttpRequestException or TimeoutException)
        {
            LogNotifyFailed(ComponentId, ComponentStates.Stopping, exception.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeats is not null)
        {
            await _heartbeats.StopAsync().ConfigureAwait(false);
        }

        if (_reporter is not null)
        {
            await _reporter.StopAsync().ConfigureAwait(false);
        }

        await _listener.ConfigureAwait(false);
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (component.InstanceUuid == Guid.Empty || _notified)
        {
            return;
        }

        _notified = true;
        try
        {
            await client.NotifyShutdownAsync(ComponentId, component.InstanceUuid, "host stopped", cancellationToken).ConfigureAwait(false);
            LogStopped(ComponentId, component.InstanceUuid);
        }
        catch (Exception exception) when (exception is TektonApiException or HttpRequestException or TimeoutException)
        {
            LogNotifyFailed(ComponentId, ComponentStates.Stopped, exception.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes the instance once as itself and once as the IHostedService that resolves to it.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeats is not null)
        {
            await _heartbeats.DisposeAsync().ConfigureAwait(false);
        }

        if (_reporter is not null)
        {
            await _reporter.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ListenAsync(Guid instance, CancellationToken stopping)
    {
        try
        {
            var signal = await client.ListenForShutdownAsync(ComponentId, instance, stopping).ConfigureAwait(false);
            component.ShutdownSignal = signal;
            LogShutdownSignal(ComponentId, signal.Force, signal.Timeout);
            options.OnShutdownSignal?.Invoke(signal);
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (TektonApiException exception)
        {
            // The instance is gone (deregistered): there is nothing left to listen to, and no reason to stop the host.
            LogListenerEnded(ComponentId, exception.Message);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Registered {ComponentId} with Tekton at {Tekton} as instance {InstanceUuid}")]
    private partial void LogRegistered(string componentId, Guid instanceUuid, Uri tekton);

    [LoggerMessage(2, LogLevel.Information, "{ComponentId} instance {InstanceUuid} is ready")]
    private partial void LogReady(string componentId, Guid instanceUuid);

    [LoggerMessage(3, LogLevel.Information, "Tekton asked {ComponentId} to shut down (force {Force}, {Timeout} s); stopping the host")]
    private partial void LogShutdownSignal(string componentId, bool force, double timeout);

    [LoggerMessage(4, LogLevel.Information, "{ComponentId} instance {InstanceUuid} reported stopped")]
    private partial void LogStopped(string componentId, Guid instanceUuid);

    [LoggerMessage(5, LogLevel.Warning, "A heartbeat of {ComponentId} failed: {Error}")]
    private partial void LogHeartbeatFailed(string componentId, string error);

    [LoggerMessage(6, LogLevel.Warning, "A resource report of {ComponentId} failed: {Error}")]
    private partial void LogReportFailed(string componentId, string error);

    [LoggerMessage(7, LogLevel.Warning, "Could not report {ComponentId} {State}: {Error}")]
    private partial void LogNotifyFailed(string componentId, string state, string error);

    [LoggerMessage(8, LogLevel.Warning, "Stopped listening for the shutdown signal of {ComponentId}: {Error}")]
    private partial void LogListenerEnded(string componentId, string error);
}
