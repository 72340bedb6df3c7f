using System.Runtime.InteropServices;
using System.Text;
using Tekton.Application.Resources;

namespace Tekton.Infrastructure.Resources;

/// <summary>NVML's <c>nvmlUtilization_t</c>: percent of time the GPU and its memory were busy.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlUtilization
{
    public uint Gpu;
    public uint Memory;
}

/// <summary>NVML's <c>nvmlMemory_t</c>, in bytes. The order is NVML's: total, free, used.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemory
{
    public ulong Total;
    public ulong Free;
    public ulong Used;
}

/// <summary>NVML's <c>nvmlProcessInfo_t</c> (v2 and v3 layout, 24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlProcessInfo
{
    public uint Pid;
    public ulong UsedGpuMemory;
    public uint GpuInstanceId;
    public uint ComputeInstanceId;
}

/// <summary>
/// The GPUs through NVML (<c>libnvidia-ml.so.1</c>, loaded by P/Invoke; design §2). <see cref="TryOpen"/> gives
/// null when the library or the driver is missing. Calls that a GPU does not support leave that figure null.
/// </summary>
internal sealed class Nvml
{
    private const string Library = "libnvidia-ml.so.1";
    private const int Success = 0;
    private const int InsufficientSize = 7;
    private const uint NameBufferSize = 96;

    /// <summary>NVML's NVML_VALUE_NOT_AVAILABLE for a process's memory (reported where the driver cannot tell).</summary>
    private const ulong ValueNotAvailable = ulong.MaxValue;

    private Nvml()
    {
    }

    public static Nvml? TryOpen()
    {
        try
        {
            return NativeLibrary.TryLoad(Library, out _) && nvmlInit_v2() == Success ? new Nvml() : null;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }

    public GpuReading Read()
    {
        if (nvmlDeviceGetCount_v2(out var count) != Success)
        {
            return new GpuReading([], [], "nvml");
        }

        var devices = new List<GpuDevice>();
        var processes = new List<GpuProcess>();
        for (var index = 0u; index < count; index++)
        {
            if (nvmlDeviceGetHandleByIndex_v2(index, out var device) != Success)
            {
                continue;
            }

            var name = new byte[NameBufferSize];
            var hasName = nvmlDeviceGetName(device, name, NameBufferSize) == Success;
            var hasUtil = nvmlDeviceGetUtilizationRates(device, out var util) == Success;
            var hasMemory = nvmlDeviceGetMemoryInfo(device, out var memory) == Success;
            var hasTemperature = nvmlDeviceGetTemperature(device, 0, out var temperature) == Success;
            devices.Add(ToDevice((int)index, hasName ? name : null, hasUtil ? util : null, hasMemory ? memory : null, hasTemperature ? temperature : null));
            processes.AddRange(ToProcesses((int)index, RunningProcesses(device)));
        }

        return new GpuReading(devices, processes, "nvml");
    }

    /// <summary>Turns what NVML answered for one GPU into a device; a call that failed is passed as null.</summary>
    public static GpuDevice ToDevice(int index, byte[]? name, NvmlUtilization? util, NvmlMemory? memory, uint? temperature)
    {
        var text = name is null ? null : Encoding.UTF8.GetString(name, 0, Array.IndexOf(name, (byte)0) is >= 0 and var end ? end : name.Length);
        return new GpuDevice(
            index,
            string.IsNullOrEmpty(text) ? $"GPU {index}" : text,
            util is { } u ? (int)u.Gpu : null,
            memory is { } m ? (long)m.Total : null,
            memory is { } used ? (long)used.Used : null,
            memory is { } free ? (long)free.Free : null,
            temperature is { } t ? (int)t : null);
    }

    /// <summary>The processes of one GPU; memory NVML cannot tell is left out.</summary>
    public static IEnumerable<GpuProcess> ToProcesses(int index, IEnumerable<NvmlProcessInfo> infos) =>
        infos.Where(p => p.UsedGpuMemory != ValueNotAvailable).Select(p => new GpuProcess(index, (int)p.Pid, (long)p.UsedGpuMemory));

    private static NvmlProcessInfo[] RunningProcesses(IntPtr device)
    {
        var buffer = new NvmlProcessInfo[64];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var count = (uint)buffer.Length;
            int result;
            try
            {
                result = nvmlDeviceGetComputeRunningProcesses_v3(device, ref count, buffer);
            }
            catch (EntryPointNotFoundException)
            {
                result = nvmlDeviceGetComputeRunningProcesses_v2(device, ref count, buffer);
            }

            if (result == Success)
            {
                return buffer[..(int)Math.Min(count, (uint)buffer.Length)];
            }

            if (result != InsufficientSize)
            {
                return [];
            }

            buffer = new NvmlProcessInfo[count + 16];
        }

        return [];
    }

#pragma warning disable SA1300, IDE1006 // NVML's own names.
    [DllImport(Library)]
    private static extern int nvmlInit_v2();

    [DllImport(Library)]
    private static extern int nvmlDeviceGetCount_v2(out uint count);

    [DllImport(Library)]
    private static extern int nvmlDeviceGetHandleByIndex_v2(uint index, out IntPtr device);

    [DllImport(Library)]
    private static extern int nvmlDeviceGetName(IntPtr device, [Out] byte[] name, uint length);

    [DllImport(Library)]
    private static extern int nvmlDeviceGetUtilizationRates(IntPtr device, out NvmlUtilization utilization);

    [DllImport(Library)]
    private static extern int nvmlDeviceGetMemoryInfo(IntPtr device, out NvmlMemory memory);

    [DllImport(Library)]
    private static extern int nvmlDeviceGetTemperature(IntPtr device, int sensor, out uint temperature);

    [DllImport(Library)]
    private static extern int nvmlDeviceGetComputeRunningProcesses_v3(IntPtr device, ref uint count, [In, Out] NvmlProcessInfo[] infos);

    [DllImport(Library)]
    private static extern int nvmlDeviceGetComputeRunningProcesses_v2(IntPtr device, ref uint count, [In, Out] NvmlProcessInfo[] infos);
#pragma warning restore SA1300, IDE1006
}
