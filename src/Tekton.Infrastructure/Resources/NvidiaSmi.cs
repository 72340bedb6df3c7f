using System.Diagnostics;
using System.Globalization;
using Tekton.Application.Resources;

namespace Tekton.Infrastructure.Resources;

/// <summary>
/// The GPUs through <c>nvidia-smi --query-gpu ... --format=csv</c>, the fallback where NVML cannot be loaded
/// (design §2). Each call runs the tool twice (devices, then compute processes), each bounded by a timeout.
/// </summary>
internal sealed class NvidiaSmi(string executable, TimeSpan timeout)
{
    public const string GpuQuery = "--query-gpu=index,uuid,name,utilization.gpu,memory.total,memory.used,memory.free,temperature.gpu";
    public const string ProcessQuery = "--query-compute-apps=gpu_uuid,pid,used_memory";
    private const double Mib = 1024d * 1024;

    /// <summary>nvidia-smi on PATH, or null.</summary>
    public static NvidiaSmi? Find(TimeSpan timeout)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "nvidia-smi");
            if (File.Exists(candidate))
            {
                return new NvidiaSmi(candidate, timeout);
            }
        }

        return null;
    }

    public GpuReading Read()
    {
        var gpus = Run(GpuQuery);
        if (gpus is null)
        {
            return new GpuReading([], [], "nvidia-smi");
        }

        var (devices, uuids) = ParseGpus(gpus);
        var processes = Run(ProcessQuery) is { } apps ? ParseProcesses(apps, uuids) : [];
        return new GpuReading(devices, processes, "nvidia-smi");
    }

    /// <summary>
    /// Parses <c>--query-gpu=index,uuid,name,utilization.gpu,memory.total,memory.used,memory.free,temperature.gpu
    /// --format=csv,noheader,nounits</c> (memory in MiB); "[N/A]" and "[Not Supported]" become null.
    /// </summary>
    public static (List<GpuDevice> Devices, Dictionary<string, int> IndexByUuid) ParseGpus(string csv)
    {
        var devices = new List<GpuDevice>();
        var uuids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Lines(csv))
        {
            var fields = line.Split(',').Select(f => f.Trim()).ToArray();
            if (fields.Length < 8 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue;
            }

            // A name with a comma in it spreads over several fields: the last five are always the numbers.
            var name = string.Join(", ", fields[2..^5]);
            devices.Add(new GpuDevice(
                index,
                name,
                Integer(fields[^5]),
                Bytes(fields[^4]),
                Bytes(fields[^3]),
                Bytes(fields[^2]),
                Integer(fields[^1])));
            uuids[fields[1]] = index;
        }

        return (devices, uuids);
    }

    /// <summary>Parses <c>--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits</c>.</summary>
    public static List<GpuProcess> ParseProcesses(string csv, IReadOnlyDictionary<string, int> indexByUuid)
    {
        var processes = new List<GpuProcess>();
        foreach (var line in Lines(csv))
        {
            var fields = line.Split(',').Select(f => f.Trim()).ToArray();
            if (fields.Length >= 3 && indexByUuid.TryGetValue(fields[0], out var index)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Bytes(fields[2]) is { } used)
            {
                processes.Add(new GpuProcess(index, pid, used));
            }
        }

        return processes;
    }

    private string? Run(string query)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(executable, [query, "--format=csv,noheader,nounits"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Lines(string csv) => csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int? Integer(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (int)Math.Round(value) : null;

    private static long? Bytes(string mib) =>
        double.TryParse(mib, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (long)(value * Mib) : null;
}
