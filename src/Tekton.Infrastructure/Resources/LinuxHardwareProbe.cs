using System.Globalization;
using System.Runtime.InteropServices;
using Tekton.Application.Resources;

namespace Tekton.Infrastructure.Resources;

/// <summary>
/// Reads the machine from <c>/proc</c> and <c>statvfs</c> (design §2) and the GPUs from <see cref="GpuProbe"/>.
/// Where a file does not exist (another OS, a locked-down container) the figure is <c>null</c>.
/// </summary>
internal sealed class LinuxHardwareProbe(string dataDirectory, GpuProbe gpus) : IHardwareProbe
{
    private static readonly long ClockTicksPerSecond = ReadClockTicks();

    public CpuCounters? ReadCpu() => Read("/proc/stat", ProcFiles.ParseStat);

    public IReadOnlyList<double>? ReadLoadAverage() => Read("/proc/loadavg", ProcFiles.ParseLoadAverage);

    public MemoryReading? ReadMemory() => Read("/proc/meminfo", ProcFiles.ParseMeminfo);

    public DiskReading? ReadDisk()
    {
        try
        {
            if (OperatingSystem.IsLinux() && Environment.Is64BitProcess && StatVfs(dataDirectory, out var fs) == 0)
            {
                var unit = fs.FragmentSize != 0 ? fs.FragmentSize : fs.BlockSize;
                return new DiskReading((long)(fs.Blocks * unit), (long)((fs.Blocks - fs.FreeBlocks) * unit), (long)(fs.AvailableBlocks * unit));
            }
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc's ABI: ask .NET instead.
        }

        try
        {
            var drive = new DriveInfo(dataDirectory);
            return new DiskReading(drive.TotalSize, drive.TotalSize - drive.TotalFreeSpace, drive.AvailableFreeSpace);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public GpuReading ReadGpus() => gpus.Read();

    public IReadOnlyDictionary<int, ProcessTreeReading> ReadProcessTrees(IReadOnlyCollection<ProcessRoot> roots)
    {
        var stats = new Dictionary<int, ProcessStat>();
        var children = new Dictionary<int, List<int>>();
        try
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    || Read($"{directory}/stat", ProcFiles.ParseProcessStat) is not { } stat)
                {
                    continue;
                }

                stats[pid] = stat;
                if (!children.TryGetValue(stat.ParentPid, out var siblings))
                {
                    children[stat.ParentPid] = siblings = [];
                }

                siblings.Add(pid);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<int, ProcessTreeReading>();
        }

        var trees = new Dictionary<int, ProcessTreeReading>();
        foreach (var root in roots)
        {
            if (!stats.TryGetValue(root.Pid, out var rootStat) || (root.StartTicks is { } start && start != rootStat.StartTicks))
            {
                continue;
            }

            var pids = Descendants(root.Pid, children);
            ulong ticks = 0;
            long rss = 0, vms = 0, read = 0, write = 0;
            var ioKnown = true;
            foreach (var pid in pids)
            {
                ticks += stats[pid].TotalTicks;
                var (processRss, processVms) = Read($"/proc/{pid}/status", ProcFiles.ParseStatusMemory);
                rss += processRss;
                vms += processVms;
                if (Read($"/proc/{pid}/io", ProcFiles.ParseIo) is { } io)
                {
                    read += io.Read;
                    write += io.Write;
                }
                else
                {
                    ioKnown = false;
                }
            }

            trees[root.Pid] = new ProcessTreeReading(
                (double)ticks / ClockTicksPerSecond, rss, vms, ioKnown ? read : null, ioKnown ? write : null, pids);
        }

        return trees;
    }

    private static List<int> Descendants(int root, Dictionary<int, List<int>> children)
    {
        var pids = new List<int> { root };
        var seen = new HashSet<int> { root };
        for (var i = 0; i < pids.Count; i++)
        {
            foreach (var child in children.GetValueOrDefault(pids[i]) ?? [])
            {
                if (seen.Add(child))
                {
                    pids.Add(child);
                }
            }
        }

        return pids;
    }

    /// <summary>Reads and parses a file; a missing or unreadable file, or one that changed shape, gives the default.</summary>
    private static T? Read<T>(string path, Func<string, T?> parse)
    {
        try
        {
            return parse(File.ReadAllText(path));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            return default;
        }
    }

    private static long ReadClockTicks()
    {
        try
        {
            return OperatingSystem.IsLinux() && SysConf(ScClockTicks) is > 0 and var ticks ? ticks : 100;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    private const int ScClockTicks = 2;

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    [DllImport("libc", EntryPoint = "statvfs", SetLastError = true)]
    private static extern int StatVfs([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out StatVfsBuffer buffer);

    /// <summary>glibc's <c>struct statvfs</c> on 64-bit Linux (112 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfsBuffer
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong FreeBlocks;
        public ulong AvailableBlocks;
        public ulong Files;
        public ulong FreeFiles;
        public ulong AvailableFiles;
        public ulong FileSystemId;
        public ulong Flags;
        public ulong MaxNameLength;
        public ulong Spare0;
        public ulong Spare1;
        public ulong Spare2;
    }
}
