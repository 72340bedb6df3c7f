using System.Collections.Concurrent;
using System.ComponentModel;

namespace Tekton.Application.Lifecycle;

/// <summary>A control signal for one instance (design §6.2).</summary>
public sealed record ControlSignal(
    [property: Description("shutdown")] string Signal,
    bool Force,
    [property: Description("Seconds the instance has to stop before it is killed")] double Timeout,
    DateTimeOffset RequestedAt);

/// <summary>
/// Pending control signals, read by long-polling instances. A signal stays posted until the instance is gone,
/// so an instance that polls again (or reconnects) still sees it.
/// </summary>
public sealed class SignalBoard
{
    private readonly ConcurrentDictionary<Guid, ControlSignal> _posted = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<ControlSignal>> _waiting = new();

    public void Post(Guid instanceUuid, ControlSignal signal)
    {
        _posted[instanceUuid] = signal;
        if (_waiting.TryRemove(instanceUuid, out var waiter))
        {
            waiter.TrySetResult(signal);
        }
    }

    public void Clear(Guid instanceUuid) => _posted.TryRemove(instanceUuid, out _);

    /// <summary>The posted signal, or the next one within <paramref name="wait"/>; null when none came.</summary>
    public async Task<ControlSignal?> WaitAsync(Guid instanceUuid, TimeSpan wait, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (_posted.TryGetValue(instanceUuid, out var posted))
        {
            return posted;
        }

        var waiter = _waiting.GetOrAdd(instanceUuid, _ => new TaskCompletionSource<ControlSignal>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_posted.TryGetValue(instanceUuid, out posted))
        {
            return posted;
        }

        try
        {
            return await waiter.Task.WaitAsync(wait, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
