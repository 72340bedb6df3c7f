using System.Diagnostics;
using System.Text;
using Tekton.Application.Resources;
using Tekton.Infrastructure.Resources;

namespace Tekton.Infrastructure.Tests.Resources;

/// <summary>GPU figures from nvidia-smi's CSV and from NVML's structures, on captured output (design §2).</summary>
public sealed class GpuProbeTests : IDisposable
{
    /// <summary><c>nvidia-smi --query-gpu=index,uuid,name,utilization.gpu,memory.total,memory.used,memory.free,temperature.gpu --format=csv,noheader,nounits</c>.</summary>
    private const string Gpus = """
        0, GPU-5f0fa0c4-1d8e-3f2b-9a3c-0c5b8d1e2f01, NVIDIA H100 80GB HBM3, 37, 81559, 20480, 60527, 41
        1, GPU-77a1b2c3-d4e5-f607-1829-3a4b5c6d7e8f, NVIDIA GeForce RTX 4090, [N/A], 24564, 4301, 19804, [Not Supported]
        """;

    /// <summary><c>nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits</c>.</summary>
    private const string Apps = """
        GPU-5f0fa0c4-1d8e-3f2b-9a3c-0c5b8d1e2f01, 31337, 20000
        GPU-77a1b2c3-d4e5-f607-1829-3a4b5c6d7e8f, 31338, 2150
        GPU-00000000-0000-0000-0000-000000000000, 31339, 10
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("tekton-gpu-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Nvidia_smi_csv_gives_each_gpu_in_bytes_with_unsupported_figures_as_null()
    {
        var (devices, uuids) = NvidiaSmi.ParseGpus(Gpus);

        devices.Should().HaveCount(2);
        devices[0].Should().Be(new GpuDevice(0, "NVIDIA H100 80GB HBM3", 37, 81559L * 1024 * 1024, 20480L * 1024 * 1024, 60527L * 1024 * 1024, 41));
        devices[1].Util.Should().BeNull();
        devices[1].Temperature.Should().BeNull();
        devices[1].MemoryUsedBytes.Should().Be(4301L * 1024 * 1024);
        uuids.Should().HaveCount(2);
    }

    [Fact]
    public void A_gpu_name_with_a_comma_is_kept_whole()
    {
        var (devices, _) = NvidiaSmi.ParseGpus("0, GPU-1, Tesla V100-SXM2-16GB, rev 2, 5, 16160, 0, 16160, 30\n");

        devices.Single().Name.Should().Be("Tesla V100-SXM2-16GB, rev 2");
        devices.Single().Temperature.Should().Be(30);
    }

    [Fact]
    public void Compute_apps_are_matched_to_gpus_by_uuid_and_unknown_gpus_are_left_out()
    {
        var (_, uuids) = NvidiaSmi.ParseGpus(Gpus);

        var processes = NvidiaSmi.ParseProcesses(Apps, uuids);

        processes.Should().Equal(new GpuProcess(0, 31337, 20000L * 1024 * 1024), new GpuProcess(1, 31338, 2150L * 1024 * 1024));
        NvidiaSmi.ParseProcesses(string.Empty, uuids).Should().BeEmpty("no compute processes print nothing");
    }

    [Fact]
    public void The_nvidia_smi_fallback_runs_the_tool_and_reads_both_queries()
    {
        var smi = new NvidiaSmi(FakeTool($"""
            case "$1" in
              {NvidiaSmi.GpuQuery}) cat <<'END'
            {Gpus}
            END
              ;;
              {NvidiaSmi.ProcessQuery}) cat <<'END'
            {Apps}
            END
              ;;
              *) exit 9 ;;
            esac
            """), TimeSpan.FromSeconds(10));

        var reading = smi.Read();

        reading.Source.Should().Be("nvidia-smi");
        reading.Devices.Select(d => d.Name).Should().Equal("NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4090");
        reading.Processes.Should().HaveCount(2);
    }

    [Fact]
    public void A_hanging_or_failing_nvidia_smi_gives_no_gpus_within_its_timeout()
    {
        var hanging = new NvidiaSmi(FakeTool("exec sleep 30"), TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        hanging.Read().Devices.Should().BeEmpty();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));

        new NvidiaSmi(FakeTool("echo 'NVIDIA-SMI has failed' >&2; exit 9"), TimeSpan.FromSeconds(5)).Read().Devices.Should().BeEmpty();
        new NvidiaSmi(Path.Combine(_folder, "missing"), TimeSpan.FromSeconds(5)).Read().Devices.Should().BeEmpty();
    }

    [Fact]
    public void Nvml_results_become_a_device_and_calls_that_failed_leave_their_figures_null()
    {
        // What nvmlDeviceGetName, nvmlDeviceGetUtilizationRates, nvmlDeviceGetMemoryInfo and nvmlDeviceGetTemperature filled in on an H100.
        var name = new byte[96];
        Encoding.UTF8.GetBytes("NVIDIA H100 80GB HBM3").CopyTo(name, 0);
        var memory = new NvmlMemory { Total = 85520809984, Free = 84964917248, Used = 555892736 };

        var device = Nvml.ToDevice(0, name, new NvmlUtilization { Gpu = 12, Memory = 3 }, memory, 33);

        device.Should().Be(new GpuDevice(0, "NVIDIA H100 80GB HBM3", 12, 85520809984, 555892736, 84964917248, 33));
        Nvml.ToDevice(3, null, null, null, null).Should().Be(new GpuDevice(3, "GPU 3", null, null, null, null, null));
    }

    [Fact]
    public void Nvml_processes_whose_memory_the_driver_cannot_tell_are_left_out()
    {
        var infos = new[]
        {
            new NvmlProcessInfo { Pid = 500, UsedGpuMemory = 2_147_483_648 },
            new NvmlProcessInfo { Pid = 501, UsedGpuMemory = ulong.MaxValue },
        };

        Nvml.ToProcesses(1, infos).Should().Equal(new GpuProcess(1, 500, 2_147_483_648));
    }

    [Fact]
    public void Without_the_nvml_library_nvml_does_not_open_and_does_not_throw()
    {
        if (File.Exists("/proc/driver/nvidia/version"))
        {
            return; // A machine with the NVIDIA driver: NVML opens, which the GPU machine's run covers.
        }

        Nvml.TryOpen().Should().BeNull();
    }

    private string FakeTool(string script)
    {
        var path = Path.Combine(_folder, $"nvidia-smi-{Guid.NewGuid():N}");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
