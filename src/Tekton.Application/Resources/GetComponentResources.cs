using Mediator;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Resources;

/// <summary>
/// A component's resource usage (design §8.2): what the monitor measured of its live supervised instances' process
/// trees (summed over replicas), merged with its latest report from a live instance, which fills what was not
/// measured (network bytes always; everything for a component Tekton did not launch).
/// </summary>
public sealed record GetComponentResources(string ComponentId) : IQuery<ComponentResources>;

public sealed class GetComponentResourcesHandler(RegistryProjection projection, ResourceMonitor monitor, ResourceReports reports, TimeProvider clock)
    : IQueryHandler<GetComponentResources, ComponentResources>
{
    public const string Measured = "measured";
    public const string Reported = "reported";

    public ValueTask<ComponentResources> Handle(GetComponentResources query, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(query.ComponentId) ?? throw TektonException.ComponentNotFound(query.ComponentId);
        var measurements = view.Instances
            .Where(i => i.Status.IsLive())
            .Select(i => monitor.Measured(i.InstanceUuid))
            .OfType<InstanceMeasurement>()
            .ToList();
        var report = reports.Latest(view.ComponentId) is { } latest && view.FindInstance(latest.InstanceUuid) is { } reporter && reporter.Status.IsLive()
            ? latest
            : null;

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var measured = measurements.Count > 0 ? Sum(measurements) : null;
        var usage = new ResourceUsage
        {
            CpuPercent = Pick(sources, "cpu_percent", measured?.CpuPercent, report?.Usage.CpuPercent),
            Memory = Pick(sources, "memory", measured?.Memory, report?.Usage.Memory),
            Gpu = Pick(sources, "gpu", measured?.Gpu, report?.Usage.Gpu),
            Network = Pick(sources, "network", null, report?.Usage.Network),
            DiskIo = Pick(sources, "disk_io", measured?.DiskIo, report?.Usage.DiskIo),
        };

        var measuredAt = measurements.Count > 0 ? measurements.Max(m => m.At) : (DateTimeOffset?)null;
        var timestamp = new[] { measuredAt, report?.At }.Max() ?? clock.GetUtcNow();
        return ValueTask.FromResult(new ComponentResources(
            view.ComponentId,
            usage,
            timestamp,
            sources,
            measuredAt,
            report?.At,
            [.. measurements.Select(m => new MeasuredInstance(m.InstanceUuid, m.Pid, m.Processes))]));
    }

    /// <summary>The measured figure when there is one, else the reported one; records which in <paramref name="sources"/>.</summary>
    private static T Pick<T>(Dictionary<string, string> sources, string name, T measured, T reported)
    {
        if (measured is not null)
        {
            sources[name] = Measured;
            return measured;
        }

        if (reported is not null)
        {
            sources[name] = Reported;
        }

        return reported;
    }

    private static ResourceUsage Sum(List<InstanceMeasurement> measurements)
    {
        var cpu = measurements.Where(m => m.CpuPercent is not null).ToList();
        var reads = measurements.Where(m => m.ReadBytes is not null).ToList();
        return new ResourceUsage
        {
            CpuPercent = cpu.Count > 0 ? Math.Round(cpu.Sum(m => m.CpuPercent!.Value), 1) : null,
            Memory = new ProcessMemory
            {
                Rss = Math.Round(measurements.Sum(m => m.RssBytes) / ResourceMonitor.Mib, 1),
                Vms = Math.Round(measurements.Sum(m => m.VmsBytes) / ResourceMonitor.Mib, 1),
                Percent = measurements.All(m => m.MemoryPercent is not null) ? Math.Round(measurements.Sum(m => m.MemoryPercent!.Value), 1) : null,
            },
            Gpu = measurements.Select(m => m.Gpu).OfType<ProcessGpu>().OrderByDescending(g => g.MemoryUsed).FirstOrDefault(),
            DiskIo = reads.Count > 0
                ? new DiskIo { ReadBytes = reads.Sum(m => m.ReadBytes!.Value), WriteBytes = reads.Sum(m => m.WriteBytes ?? 0) }
                : null,
        };
    }
}
