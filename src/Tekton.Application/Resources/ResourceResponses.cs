using System.ComponentModel;

namespace Tekton.Application.Resources;

/// <summary>The reference's Get System Resources answer (design §8.1); a figure that cannot be read here is <c>null</c>.</summary>
public sealed record SystemResources(
    CpuFigures Cpu,
    MemoryFigures Memory,
    DiskFigures Disk,
    [property: Description("Every GPU; [] without one")] IReadOnlyList<GpuFigures> Gpu,
    [property: Description("RFC 3339 UTC time the sample was taken")] DateTimeOffset Timestamp);

public sealed record CpuFigures(
    [property: Description("Percent (0-100) of all cores busy over the last sample interval")] double? OverallPercent,
    [property: Description("Percent (0-100) busy per core")] IReadOnlyList<double>? PerCore,
    [property: Description("Cores the kernel lists (/proc/stat)")] int Cores,
    [property: Description("Load averages over 1, 5 and 15 minutes")] IReadOnlyList<double>? LoadAverage);

public sealed record MemoryFigures(
    [property: Description("GiB")] double? Total,
    [property: Description("GiB: total - available")] double? Used,
    [property: Description("GiB available without swapping (MemAvailable)")] double? Free,
    [property: Description("Percent (0-100) used")] double? Percent,
    [property: Description("GiB")] double? SwapTotal,
    [property: Description("GiB")] double? SwapUsed,
    [property: Description("GiB")] double? SwapFree);

public sealed record DiskFigures(
    [property: Description("GiB: size of the filesystem holding the data folder")] double? Total,
    [property: Description("GiB in use")] double? Used,
    [property: Description("GiB that Tekton may still write")] double? Free,
    [property: Description("Percent (0-100): used / (used + free)")] double? Percent);

public sealed record GpuFigures(
    int Id,
    string Name,
    [property: Description("Percent (0-100) of time the GPU was busy")] int? Util,
    [property: Description("GiB")] double? MemoryTotal,
    [property: Description("GiB")] double? MemoryUsed,
    [property: Description("GiB")] double? MemoryFree,
    [property: Description("Degrees Celsius")] int? Temperature);

/// <summary>The answer of <c>GET /api/tekton/resources/history</c>: the retained samples, oldest first.</summary>
public sealed record ResourceHistory(
    [property: Description("Minutes asked for")] int Minutes,
    [property: Description("Seconds between samples")] double Interval,
    IReadOnlyList<SystemResources> Samples);

/// <summary>
/// A component's resource usage (the reference's <c>resource_usage</c>). In answers each part is measured by Tekton
/// or reported by the component; in a report (<c>POST .../resources</c>) each part is optional.
/// </summary>
public sealed record ResourceUsage
{
    [Description("Percent of one core (can exceed 100 on several cores), over the last sample interval")]
    public double? CpuPercent { get; init; }

    public ProcessMemory? Memory { get; init; }

    public ProcessGpu? Gpu { get; init; }

    public NetworkBytes? Network { get; init; }

    public DiskIo? DiskIo { get; init; }
}

public sealed record ProcessMemory
{
    [Description("Resident memory, MiB")]
    public double? Rss { get; init; }

    [Description("Virtual memory, MiB")]
    public double? Vms { get; init; }

    [Description("Percent (0-100) of the machine's memory that is resident")]
    public double? Percent { get; init; }
}

public sealed record ProcessGpu
{
    [Description("The GPU holding most of the component's GPU memory")]
    public int? Id { get; init; }

    [Description("GiB of GPU memory on that GPU")]
    public double? MemoryUsed { get; init; }
}

public sealed record NetworkBytes
{
    [Description("Bytes")]
    public long? BytesSent { get; init; }

    [Description("Bytes")]
    public long? BytesRecv { get; init; }
}

public sealed record DiskIo
{
    [Description("Bytes read from storage")]
    public long? ReadBytes { get; init; }

    [Description("Bytes written to storage")]
    public long? WriteBytes { get; init; }
}

/// <summary>The reference's Get Component Resource Usage answer, plus where each figure came from and when.</summary>
public sealed record ComponentResources(
    string ComponentId,
    ResourceUsage ResourceUsage,
    [property: Description("RFC 3339 UTC time of the newest figure in resource_usage (now when there is none)")] DateTimeOffset Timestamp,
    [property: Description("For each part of resource_usage that has figures: measured (by Tekton, from the process tree) or reported (by the component)")]
    IReadOnlyDictionary<string, string> Sources,
    [property: Description("RFC 3339 UTC time of the last measurement; null when nothing is measured (the component is not a running supervised process)")]
    DateTimeOffset? MeasuredAt,
    [property: Description("RFC 3339 UTC time of the component's last report; null when it never reported")] DateTimeOffset? ReportedAt,
    [property: Description("The supervised instances measured, each with its process count")] IReadOnlyList<MeasuredInstance> Instances);

public sealed record MeasuredInstance(Guid InstanceUuid, int Pid, [property: Description("Processes in its tree")] int Processes);
