namespace Tekton.Client;

/// <summary><c>GET /api/tekton/resources</c>: the machine, as Tekton's sampler last saw it.</summary>
public sealed record SystemResources
{
    /// <summary>Processor figures.</summary>
    public CpuResources Cpu { get; init; } = new();

    /// <summary>Memory figures (GiB).</summary>
    public MemoryResources Memory { get; init; } = new();

    /// <summary>The data folder's disk (GiB).</summary>
    public DiskResources Disk { get; init; } = new();

    /// <summary>One entry per GPU; empty without one.</summary>
    public IReadOnlyList<GpuResources> Gpu { get; init; } = [];

    /// <summary>When the sample was taken.</summary>
    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>Processor figures; a figure the machine does not expose is <c>null</c>.</summary>
public sealed record CpuResources
{
    /// <summary>Percent (0–100) of all cores busy.</summary>
    public double? OverallPercent { get; init; }

    /// <summary>The same per core.</summary>
    public IReadOnlyList<double>? PerCore { get; init; }

    /// <summary>Number of cores.</summary>
    public int Cores { get; init; }

    /// <summary>Load average over 1, 5 and 15 minutes.</summary>
    public IReadOnlyList<double>? LoadAverage { get; init; }
}

/// <summary>Memory figures in GiB.</summary>
public sealed record MemoryResources
{
    /// <summary>Total.</summary>
    public double? Total { get; init; }

    /// <summary>Used (total − free).</summary>
    public double? Used { get; init; }

    /// <summary>Available without swapping.</summary>
    public double? Free { get; init; }

    /// <summary>Used, in percent.</summary>
    public double? Percent { get; init; }

    /// <summary>Swap total.</summary>
    public double? SwapTotal { get; init; }

    /// <summary>Swap used.</summary>
    public double? SwapUsed { get; init; }

    /// <summary>Swap free.</summary>
    public double? SwapFree { get; init; }
}

/// <summary>Disk figures in GiB.</summary>
public sealed record DiskResources
{
    /// <summary>Total.</summary>
    public double? Total { get; init; }

    /// <summary>In use.</summary>
    public double? Used { get; init; }

    /// <summary>What Tekton may still write.</summary>
    public double? Free { get; init; }

    /// <summary><c>used / (used + free)</c> in percent.</summary>
    public double? Percent { get; init; }
}

/// <summary>One GPU.</summary>
public sealed record GpuResources
{
    /// <summary>Index.</summary>
    public int Id { get; init; }

    /// <summary>Model name.</summary>
    public string? Name { get; init; }

    /// <summary>Utilization, 0–100.</summary>
    public double? Util { get; init; }

    /// <summary>Memory total, GiB.</summary>
    public double? MemoryTotal { get; init; }

    /// <summary>Memory used, GiB.</summary>
    public double? MemoryUsed { get; init; }

    /// <summary>Memory free, GiB.</summary>
    public double? MemoryFree { get; init; }

    /// <summary>Temperature, °C.</summary>
    public double? Temperature { get; init; }
}

/// <summary>A retained sample of <c>GET /api/tekton/resources/history</c>.</summary>
public sealed record ResourceHistory
{
    /// <summary>The minutes asked for.</summary>
    public int Minutes { get; init; }

    /// <summary>Seconds between samples.</summary>
    public double Interval { get; init; }

    /// <summary>The samples, oldest first.</summary>
    public IReadOnlyList<SystemResources> Samples { get; init; } = [];
}

/// <summary>
/// A component's resource usage: what <c>POST …/resources</c> reports, and the <c>resource_usage</c> of
/// <c>GET …/resources</c>. Every part is optional.
/// </summary>
public sealed record ResourceUsage
{
    /// <summary>The reporting instance (reports only); default: the component's current instance.</summary>
    public Guid? InstanceUuid { get; init; }

    /// <summary>CPU in percent of one core.</summary>
    public double? CpuPercent { get; init; }

    /// <summary>Memory (MiB, and percent of the machine).</summary>
    public ProcessMemory? Memory { get; init; }

    /// <summary>The GPU in use.</summary>
    public ProcessGpu? Gpu { get; init; }

    /// <summary>Network bytes.</summary>
    public ProcessNetwork? Network { get; init; }

    /// <summary>Storage I/O bytes.</summary>
    public ProcessDiskIo? DiskIo { get; init; }
}

/// <summary>Process memory: <c>rss</c> and <c>vms</c> in MiB, <c>percent</c> of the machine's memory.</summary>
public sealed record ProcessMemory(double? Rss, double? Vms, double? Percent);

/// <summary>The GPU a process uses: its index and the GiB it holds.</summary>
public sealed record ProcessGpu(int? Id, double? MemoryUsed);

/// <summary>Network bytes sent and received.</summary>
public sealed record ProcessNetwork(long? BytesSent, long? BytesRecv);

/// <summary>Bytes read from and written to storage.</summary>
public sealed record ProcessDiskIo(long? ReadBytes, long? WriteBytes);

/// <summary><c>GET /api/tekton/components/{id}/resources</c>.</summary>
public sealed record ComponentResources
{
    /// <summary>The component.</summary>
    public string ComponentId { get; init; } = "";

    /// <summary>Measured and reported figures, merged part by part.</summary>
    public ResourceUsage ResourceUsage { get; init; } = new();

    /// <summary>The newer of <see cref="MeasuredAt"/> and <see cref="ReportedAt"/>, or now.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>For each part with figures: <c>measured</c> or <c>reported</c>.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>();

    /// <summary>When Tekton last measured the processes.</summary>
    public DateTimeOffset? MeasuredAt { get; init; }

    /// <summary>When the report in use was sent.</summary>
    public DateTimeOffset? ReportedAt { get; init; }

    /// <summary>The measured instances.</summary>
    public IReadOnlyList<MeasuredInstance> Instances { get; init; } = [];
}

/// <summary>An instance the sampler measured: its pid and the processes of its tree.</summary>
public sealed record MeasuredInstance(Guid InstanceUuid, int Pid, int Processes);
