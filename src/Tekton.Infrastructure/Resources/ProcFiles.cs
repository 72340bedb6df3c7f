using System.Globalization;
using Tekton.Application.Resources;

namespace Tekton.Infrastructure.Resources;

/// <summary>One line of <c>/proc/[pid]/stat</c>: the fields the resource monitor needs. Times in clock ticks.</summary>
internal readonly record struct ProcessStat(int Pid, char State, int ParentPid, ulong UserTicks, ulong SystemTicks, ulong ChildUserTicks, ulong ChildSystemTicks, long StartTicks)
{
    public ulong TotalTicks => UserTicks + SystemTicks + ChildUserTicks + ChildSystemTicks;
}

/// <summary>Parsers of the Linux <c>/proc</c> files (proc(5)), pure so they can be tested on captured text.</summary>
internal static class ProcFiles
{
    /// <summary><c>/proc/stat</c>: the <c>cpu</c> line and one <c>cpuN</c> line per core. Idle is idle + iowait; guest time is already in user and nice.</summary>
    public static CpuCounters? ParseStat(string text)
    {
        CpuTimes? overall = null;
        var cores = new List<CpuTimes>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5)
            {
                continue;
            }

            // user nice system idle iowait irq softirq steal guest guest_nice
            var values = fields.Skip(1).Take(8).Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            var times = new CpuTimes(values.Aggregate(0UL, (sum, v) => sum + v), idle);
            if (fields[0] == "cpu")
            {
                overall = times;
            }
            else
            {
                cores.Add(times);
            }
        }

        return overall is { } all ? new CpuCounters(all, cores) : null;
    }

    /// <summary><c>/proc/loadavg</c>: the first three numbers.</summary>
    public static IReadOnlyList<double> ParseLoadAverage(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3).Select(f => double.Parse(f, CultureInfo.InvariantCulture))];

    /// <summary><c>/proc/meminfo</c> (values in kB); MemAvailable is estimated from free + buffers + cached on kernels older than 3.14.</summary>
    public static MemoryReading? ParseMeminfo(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var number = line[(colon + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (number.Length > 0 && long.TryParse(number[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..colon]] = number.Length > 1 && number[1] == "kB" ? value * 1024 : value;
            }
        }

        if (!values.TryGetValue("MemTotal", out var total))
        {
            return null;
        }

        var available = values.TryGetValue("MemAvailable", out var a)
            ? a
            : values.GetValueOrDefault("MemFree") + values.GetValueOrDefault("Buffers") + values.GetValueOrDefault("Cached");
        return new MemoryReading(total, Math.Min(available, total), values.GetValueOrDefault("SwapTotal"), values.GetValueOrDefault("SwapFree"));
    }

    /// <summary>
    /// <c>/proc/[pid]/stat</c>. The command name (field 2) is in parentheses and may itself hold spaces and
    /// parentheses, so fields are counted from the last ')'.
    /// </summary>
    public static ProcessStat? ParseProcessStat(string text)
    {
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 >= text.Length)
        {
            return null;
        }

        // After the name: state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime cutime cstime
        // priority nice num_threads itrealvalue starttime(22)
        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20)
        {
            return null;
        }

        return new ProcessStat(
            int.Parse(text.AsSpan(0, open).Trim(), CultureInfo.InvariantCulture),
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            ulong.Parse(fields[11], CultureInfo.InvariantCulture),
            ulong.Parse(fields[12], CultureInfo.InvariantCulture),
            (ulong)Math.Max(0, long.Parse(fields[13], CultureInfo.InvariantCulture)),
            (ulong)Math.Max(0, long.Parse(fields[14], CultureInfo.InvariantCulture)),
            long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    /// <summary><c>/proc/[pid]/status</c>: VmRSS and VmSize in bytes (0 for a zombie or kernel thread, which have none).</summary>
    public static (long Rss, long Vms) ParseStatusMemory(string text)
    {
        long rss = 0, vms = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmSize:", StringComparison.Ordinal))
            {
                vms = Kilobytes(line);
            }
        }

        return (rss, vms);
    }

    /// <summary><c>/proc/[pid]/io</c>: bytes this process caused to be read from and written to storage.</summary>
    public static (long Read, long Write)? ParseIo(string text)
    {
        long? read = null, write = null;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                if (parts[0] == "read_bytes")
                {
                    read = value;
                }
                else if (parts[0] == "write_bytes")
                {
                    write = value;
                }
            }
        }

        return read is { } r && write is { } w ? (r, w) : null;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
}
