using System.Collections.Concurrent;

namespace Tekton.Application.Resources;

/// <summary>A component's latest report of its own resource usage.</summary>
public sealed record StoredReport(Guid InstanceUuid, ResourceUsage Usage, DateTimeOffset At);

/// <summary>
/// The latest report per component (<c>POST .../resources</c>), kept in memory: it is live telemetry, replaced
/// every few seconds, and a figure from before a restart would describe processes that no longer exist.
/// </summary>
public sealed class ResourceReports
{
    private readonly ConcurrentDictionary<string, StoredReport> _reports = new(StringComparer.Ordinal);

    public void Record(string componentId, StoredReport report) => _reports[componentId] = report;

    public StoredReport? Latest(string componentId) => _reports.GetValueOrDefault(componentId);

    /// <summary>Forgets the reports of components that are no longer registered.</summary>
    public void Prune(Func<string, bool> isRegistered)
    {
        foreach (var componentId in _reports.Keys)
        {
            if (!isRegistered(componentId))
            {
                _reports.TryRemove(componentId, out _);
            }
        }
    }
}
