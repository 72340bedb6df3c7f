using System.Net;

namespace Tekton.Client;

/// <summary>The outcome of <see cref="TektonIntegration.WaitForDependenciesAsync(TektonClient, IEnumerable{string}, TimeSpan, TimeSpan, CancellationToken)"/>; deconstructs into <c>(success, failedDeps)</c>.</summary>
/// <param name="Success">Every dependency is ready (or degraded).</param>
/// <param name="FailedDependencies">The dependencies that were not, when the time ran out.</param>
public sealed record DependencyWaitResult(bool Success, IReadOnlyList<string> FailedDependencies);

/// <summary>
/// The reference's integration patterns for a component: register (attaching to the instance Tekton launched),
/// wait for dependencies, listen for the shutdown signal, mark ready, notify shutdown. The helpers that the
/// reference has return a success flag do not throw for Tekton's errors; the rest do.
/// </summary>
public static class TektonIntegration
{
    /// <summary>The variable that holds the instance Tekton launched this process for.</summary>
    public const string InstanceVariable = "TEKTON_INSTANCE_UUID";

    /// <summary>The variable that holds the component id Tekton launched this process as.</summary>
    public const string ComponentVariable = "TEKTON_COMPONENT_ID";

    /// <summary>The instance Tekton launched this process for (<c>TEKTON_INSTANCE_UUID</c>), if it did.</summary>
    public static Guid? LaunchedInstance() =>
        Guid.TryParse(Environment.GetEnvironmentVariable(InstanceVariable), out var uuid) && uuid != Guid.Empty ? uuid : null;

    /// <summary>
    /// Registers the component. When Tekton launched this process (<c>TEKTON_INSTANCE_UUID</c> is set) and the
    /// registration names no instance, it attaches to that instance. Never throws for Tekton's errors or an
    /// unreachable Tekton: <see cref="RegistrationResult.Success"/> is <c>false</c> and
    /// <see cref="RegistrationResult.Error"/> says why.
    /// </summary>
    public static async Task<RegistrationResult> RegisterWithTektonAsync(
        this TektonClient client, ComponentRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(registration);
        registration.InstanceUuid ??= LaunchedInstance();
        try
        {
            return await client.RegisterComponentAsync(registration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TektonApiException or HttpRequestException or TimeoutException)
        {
            return new RegistrationResult { Success = false, Message = exception.Message, Error = exception };
        }
    }

    /// <summary>
    /// Polls every <paramref name="checkInterval"/> until every dependency is <c>ready</c> or <c>degraded</c>, or
    /// <paramref name="timeout"/> passes. A dependency that is not registered, or cannot be read, counts as not ready.
    /// </summary>
    public static async Task<DependencyWaitResult> WaitForDependenciesAsync(
        this TektonClient client, IEnumerable<string> dependencies, TimeSpan timeout, TimeSpan checkInterval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pending = dependencies.Distinct(StringComparer.Ordinal).ToList();
        var time = client.Options.TimeProvider;
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var notReady = new List<string>();
            foreach (var dependency in pending)
            {
                if (!await IsServingAsync(client, dependency, cancellationToken).ConfigureAwait(false))
                {
                    notReady.Add(dependency);
                }
            }

            pending = notReady;
            var left = TimeSpan.FromSeconds((deadline - time.GetTimestamp()) / (double)time.TimestampFrequency);
            if (pending.Count == 0 || left <= TimeSpan.Zero)
            {
                return new DependencyWaitResult(pending.Count == 0, pending);
            }

            await Task.Delay(checkInterval < left ? checkInterval : left, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>As the reference's <c>wait_for_dependencies(dependencies, timeout=60, check_interval=1)</c>, in seconds.</summary>
    public static Task<DependencyWaitResult> WaitForDependenciesAsync(
        this TektonClient client, IEnumerable<string> dependencies, double timeout = 60, double checkInterval = 1, CancellationToken cancellationToken = default) =>
        client.WaitForDependenciesAsync(dependencies, TimeSpan.FromSeconds(timeout), TimeSpan.FromSeconds(checkInterval), cancellationToken);

    /// <summary>
    /// Long-polls the instance's control signals until Tekton asks it to shut down, and returns that signal.
    /// Connection failures are retried (Tekton may be restarting); an instance Tekton no longer knows
    /// throws <see cref="TektonApiException"/> with code 1001.
    /// </summary>
    public static async Task<ControlSignal> ListenForShutdownAsync(
        this TektonClient client, string componentId, Guid instanceUuid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var failures = 0;
        while (true)
        {
            try
            {
                if (await client.WaitForSignalAsync(componentId, instanceUuid, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false) is { } signal)
                {
                    return signal;
                }

                failures = 0;
            }
            catch (Exception exception) when (exception is HttpRequestException or TimeoutException
                                              || exception is TektonApiException { StatusCode: >= HttpStatusCode.InternalServerError })
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 250 * Math.Pow(2, Math.Min(failures, 8))) * (0.5 + Random.Shared.NextDouble() / 2));
                await Task.Delay(delay, client.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tells Tekton the instance is ready (a state change to <c>ready</c>).</summary>
    public static Task<StateChangeResult> MarkReadyAsync(
        this TektonClient client, string componentId, Guid instanceUuid, string reason = "initialized", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ChangeInstanceStateAsync(componentId, instanceUuid, ComponentStates.Ready, reason, cancellationToken);
    }

    /// <summary>
    /// Tells Tekton the instance is shutting down: <c>stopping</c>, then <c>stopped</c>. Call it last, once the
    /// component has cleaned up. An instance that is already stopped is left as it is.
    /// </summary>
    public static async Task<StateChangeResult> NotifyShutdownAsync(
        this TektonClient client, string componentId, Guid instanceUuid, string reason = "shut down cleanly", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await client.ChangeInstanceStateAsync(componentId, instanceUuid, ComponentStates.Stopping, "shutting down", cancellationToken).ConfigureAwait(false);
        }
        catch (TektonApiException exception) when (exception.Code == 1012)
        {
            // Already stopped (stopped → stopping is not a transition): the second call below answers as it is.
        }

        return await client.ChangeInstanceStateAsync(componentId, instanceUuid, ComponentStates.Stopped, reason, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> IsServingAsync(TektonClient client, string componentId, CancellationToken cancellationToken)
    {
        try
        {
            return ComponentStates.IsServing((await client.GetComponentStatusAsync(componentId, cancellationToken).ConfigureAwait(false)).Status);
        }
        catch (Exception exception) when (exception is TektonApiException or HttpRequestException or TimeoutException)
        {
            return false;
        }
    }
}
