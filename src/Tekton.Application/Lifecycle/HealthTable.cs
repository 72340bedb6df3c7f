using System.Collections.Concurrent;

namespace Tekton.Application.Lifecycle;

/// <summary>The latest health check of each instance: what its health endpoint reported, and the current run of failures.</summary>
public sealed class HealthTable
{
    private readonly ConcurrentDictionary<Guid, IReadOnlyDictionary<string, string>> _fields = new();
    private readonly ConcurrentDictionary<Guid, int> _failures = new();

    public IReadOnlyDictionary<string, string>? Fields(Guid instanceUuid) => _fields.GetValueOrDefault(instanceUuid);

    /// <summary>Records a passing check and returns 0, or a failing one and returns how many failed in a row.</summary>
    public int Record(Guid instanceUuid, HealthProbeResult result)
    {
        if (result.Fields.Count > 0)
        {
            _fields[instanceUuid] = result.Fields;
        }

        if (result.Healthy)
        {
            _failures.TryRemove(instanceUuid, out _);
            return 0;
        }

        return _failures.AddOrUpdate(instanceUuid, 1, (_, count) => count + 1);
    }
}
