namespace Tekton.Application.Resources;

/// <summary>Cumulative CPU time since boot in clock ticks: all of it, and the idle part (idle and iowait).</summary>
public readonly record struct CpuTimes(ulong Total, ulong Idle);

/// <summary>CPU counters of the whole machine and of each core, in the order the kernel lists the cores.</summary>
public sealed record CpuCounters(CpuTimes Overall, IReadOnlyList<CpuTimes> PerCore);

/// <summary>Memory and swap in bytes; available is what can be allocated without swapping (MemAvailable).</summary>
public sealed record MemoryReading(long TotalBytes, long AvailableBytes, long SwapTotalBytes, long SwapFreeBytes);

/// <summary>A filesystem in bytes: its size, the blocks in use, and what an unprivileged process may still write.</summary>
public sealed record DiskReading(long TotalBytes, long UsedBytes, long AvailableBytes);

/// <summary>One GPU; a figure the driver does not report is <c>null</c>. Memory in bytes, temperature in °C.</summary>
public sealed record GpuDevice(int Id, string Name, int? Util, long? MemoryTotalBytes, long? MemoryUsedBytes, long? MemoryFreeBytes, int? Temperature);

/// <summary>GPU memory a process holds on one GPU, in bytes.</summary>
public sealed record GpuProcess(int GpuId, int Pid, long UsedBytes);

/// <summary>The GPUs and their processes, and where the figures came from: <c>nvml</c>, <c>nvidia-smi</c> or <c>none</c>.</summary>
public sealed record GpuReading(IReadOnlyList<GpuDevice> Devices, IReadOnlyList<GpuProcess> Processes, string Source)
{
    public static readonly GpuReading None = new([], [], "none");
}

/// <summary>A supervised process to measure: its pid and, when known, its start time (which tells a reused pid apart).</summary>
public readonly record struct ProcessRoot(int Pid, long? StartTicks);

/// <summary>
/// A process and all its descendants, summed: CPU seconds used so far (finished children that were waited for
/// included), resident and virtual memory in bytes, and storage I/O in bytes (<c>null</c> when not readable).
/// </summary>
public sealed record ProcessTreeReading(double CpuSeconds, long RssBytes, long VmsBytes, long? ReadBytes, long? WriteBytes, IReadOnlyList<int> Pids);

/// <summary>
/// Reads the machine (design §2, §8). One implementation per platform; each figure it cannot read on its
/// platform is <c>null</c>, and no method throws for a missing file or device.
/// </summary>
public interface IHardwareProbe
{
    CpuCounters? ReadCpu();

    /// <summary>Load averages over 1, 5 and 15 minutes.</summary>
    IReadOnlyList<double>? ReadLoadAverage();

    MemoryReading? ReadMemory();

    /// <summary>The filesystem that holds Tekton's data folder.</summary>
    DiskReading? ReadDisk();

    /// <summary>Every GPU, or <see cref="GpuReading.None"/> when there is none or no driver to ask.</summary>
    GpuReading ReadGpus();

    /// <summary>Each root's process tree; a root that has ended, or whose pid now names another process, is left out.</summary>
    IReadOnlyDictionary<int, ProcessTreeReading> ReadProcessTrees(IReadOnlyCollection<ProcessRoot> roots);
}
