using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Resources;
using Tekton.Application.Tests.Common;
using Tekton.Domain.Components;

namespace Tekton.Application.Tests.Resources;

/// <summary>The sampler's arithmetic on a scripted probe and a clock moved by hand.</summary>
public sealed class ResourceMonitorTests
{
    private readonly ScriptedProbe _probe = new();
    private readonly SteppedClock _clock = new();
    private readonly Registry _registry = new();
    private readonly RegistryProjection _projection = new();
    private readonly ResourceReports _reports = new();

    [Fact]
    public void Cpu_percent_is_the_busy_share_of_the_ticks_between_two_samples_overall_and_per_core()
    {
        var monitor = Monitor();
        _probe.Cpu = Counters((1000, 800), (500, 400), (500, 400));
        monitor.Sample();
        Current(monitor).Cpu.OverallPercent.Should().BeNull("one sample has no interval to measure over");

        // Core 0: 100 ticks, 25 idle -> 75 % busy; core 1: 100 ticks, 100 idle -> 0 %; overall 200 ticks, 125 idle.
        _probe.Cpu = Counters((1200, 925), (600, 425), (600, 500));
        _clock.Advance(TimeSpan.FromSeconds(2));
        monitor.Sample();

        var cpu = Current(monitor).Cpu;
        cpu.OverallPercent.Should().Be(37.5);
        cpu.PerCore.Should().Equal(75, 0);
        cpu.Cores.Should().Be(2);
    }

    [Fact]
    public void Memory_used_is_total_minus_available_and_units_are_GiB()
    {
        var monitor = Monitor();
        _probe.Memory = new MemoryReading(16L << 30, 6L << 30, 8L << 30, 6L << 30);
        _probe.Disk = new DiskReading(512L << 30, 256L << 30, 192L << 30);
        monitor.Sample();

        var sample = Current(monitor);
        sample.Memory.Should().Be(new MemoryFigures(16, 10, 6, 62.5, 8, 2, 6));
        sample.Disk.Should().Be(new DiskFigures(512, 256, 192, 57.1));
        sample.Gpu.Should().BeEmpty();
    }

    [Fact]
    public void A_figure_the_probe_cannot_read_is_null_and_the_rest_still_come()
    {
        var monitor = Monitor();
        _probe.Memory = null;
        _probe.Disk = null;
        _probe.Load = null;
        monitor.Sample();

        var sample = Current(monitor);
        sample.Memory.Total.Should().BeNull();
        sample.Disk.Free.Should().BeNull();
        sample.Cpu.LoadAverage.Should().BeNull();
        sample.Cpu.Cores.Should().Be(2);
    }

    [Fact]
    public void History_keeps_the_newest_samples_up_to_its_capacity_and_filters_by_minutes()
    {
        var monitor = Monitor(intervalSeconds: 60, historyMinutes: 5);
        for (var i = 0; i < 8; i++)
        {
            monitor.Sample();
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        var all = monitor.History(5);
        all.Should().HaveCount(5, "five minutes of one-minute samples");
        all.Select(s => s.Timestamp).Should().BeInAscendingOrder();
        all[^1].Timestamp.Should().Be(_clock.GetUtcNow() - TimeSpan.FromMinutes(1));

        monitor.History(2).Should().HaveCount(2);
    }

    [Fact]
    public void A_supervised_instance_is_measured_from_its_process_tree_and_cpu_is_the_delta_over_elapsed_time()
    {
        var instance = SupervisedInstance("burner", pid: 4242);
        var monitor = Monitor();
        _probe.Trees[4242] = new ProcessTreeReading(10, 300L << 20, 900L << 20, 4096, 0, [4242, 4243, 4244]);
        _probe.Memory = new MemoryReading(4L << 30, 2L << 30, 0, 0);
        monitor.Sample();
        monitor.Measured(instance)!.CpuPercent.Should().BeNull();

        _probe.Trees[4242] = _probe.Trees[4242] with { CpuSeconds = 13 };
        _clock.Advance(TimeSpan.FromSeconds(2));
        monitor.Sample();

        var measured = monitor.Measured(instance)!;
        measured.CpuPercent.Should().Be(150, "3 CPU seconds in 2 seconds is one and a half cores");
        measured.Processes.Should().Be(3);
        measured.RssBytes.Should().Be(300L << 20);
        measured.MemoryPercent.Should().BeApproximately(7.32, 0.01);
        _probe.Roots.Should().ContainSingle().Which.Pid.Should().Be(4242);

        _probe.Trees.Clear();
        monitor.Sample();
        monitor.Measured(instance).Should().BeNull("a process that is gone is not measured");
    }

    [Fact]
    public void A_restart_as_a_new_process_starts_a_new_cpu_series()
    {
        var instance = SupervisedInstance("flaky", pid: 500);
        var monitor = Monitor();
        _probe.Trees[500] = new ProcessTreeReading(100, 1, 1, null, null, [500]);
        monitor.Sample();

        // The same instance, relaunched: a new pid whose CPU time starts from zero.
        _registry.Find("flaky")!.Instances[0].Launched(501, 777, restart: true, "service", TestComponents.T0.AddSeconds(5));
        _projection.Publish(_registry, ["flaky"]);
        _probe.Trees[501] = new ProcessTreeReading(1, 1, 1, null, null, [501]);
        _clock.Advance(TimeSpan.FromSeconds(2));
        monitor.Sample();

        var measured = monitor.Measured(instance)!;
        measured.Pid.Should().Be(501);
        measured.CpuPercent.Should().BeNull("the old process's CPU time says nothing about the new one");

        _probe.Trees[501] = _probe.Trees[501] with { CpuSeconds = 2 };
        _clock.Advance(TimeSpan.FromSeconds(2));
        monitor.Sample();
        monitor.Measured(instance)!.CpuPercent.Should().Be(50);
    }

    [Fact]
    public void Reports_of_components_that_are_no_longer_registered_are_dropped_at_the_next_sample()
    {
        SupervisedInstance("kept", pid: 600);
        var monitor = Monitor();
        _reports.Record("kept", new StoredReport(Guid.NewGuid(), new ResourceUsage { CpuPercent = 1 }, TestComponents.T0));
        _reports.Record("gone", new StoredReport(Guid.NewGuid(), new ResourceUsage { CpuPercent = 2 }, TestComponents.T0));

        monitor.Sample();

        _reports.Latest("kept").Should().NotBeNull();
        _reports.Latest("gone").Should().BeNull();
    }

    [Fact]
    public void Gpu_memory_of_the_tree_is_summed_on_the_gpu_that_holds_most()
    {
        var instance = SupervisedInstance("llm", pid: 700);
        var monitor = Monitor();
        _probe.Trees[700] = new ProcessTreeReading(1, 1, 1, null, null, [700, 701]);
        _probe.Gpus = new GpuReading(
            [new GpuDevice(0, "A", 10, 80L << 30, 30L << 30, 50L << 30, 40), new GpuDevice(1, "B", 0, 80L << 30, 1L << 30, 79L << 30, 35)],
            [new GpuProcess(0, 700, 20L << 30), new GpuProcess(0, 701, 4L << 30), new GpuProcess(1, 701, 1L << 30), new GpuProcess(0, 999, 6L << 30)],
            "nvml");
        monitor.Sample();

        monitor.Measured(instance)!.Gpu.Should().Be(new ProcessGpu { Id = 0, MemoryUsed = 24 });
        Current(monitor).Gpu.Should().HaveCount(2);
        Current(monitor).Gpu[0].Should().Be(new GpuFigures(0, "A", 10, 80, 30, 50, 40));
    }

    [Fact]
    public async Task Free_capacity_for_requirements_comes_from_the_latest_sample()
    {
        var monitor = Monitor();
        _probe.Memory = new MemoryReading(16L << 30, 6L << 30, 0, 0);
        _probe.Disk = new DiskReading(100L << 30, 20L << 30, 70L << 30);
        _probe.Gpus = new GpuReading([new GpuDevice(0, "A", 0, 80L << 30, 10L << 30, 70L << 30, 30)], [], "nvml");
        monitor.Sample();

        var free = await monitor.FreeAsync(CancellationToken.None);

        free.MemoryGb.Should().Be(6);
        free.DiskGb.Should().Be(70);
        free.GpuMemoryFreeGb.Should().Equal(70);
    }

    private ResourceMonitor Monitor(double intervalSeconds = 2, int historyMinutes = 60) => new(
        _probe,
        _projection,
        _reports,
        Options.Create(new ResourceOptions { SampleIntervalSeconds = intervalSeconds, HistoryMinutes = historyMinutes }),
        _clock,
        new TestMeters(),
        NullLogger<ResourceMonitor>.Instance);

    private static SystemResources Current(ResourceMonitor monitor) => monitor.CurrentAsync(CancellationToken.None).AsTask().Result;

    private Guid SupervisedInstance(string id, int pid)
    {
        var component = TestComponents.Register(_registry, id, TestComponents.Definition());
        var instance = component.Instances[0];
        instance.Launched(pid, 12345, restart: false, "service", TestComponents.T0);
        _projection.Publish(_registry, [id]);
        return instance.InstanceUuid;
    }

    private static CpuCounters Counters((ulong Total, ulong Idle) overall, params (ulong Total, ulong Idle)[] cores) =>
        new(new CpuTimes(overall.Total, overall.Idle), [.. cores.Select(c => new CpuTimes(c.Total, c.Idle))]);

    private sealed class ScriptedProbe : IHardwareProbe
    {
        public CpuCounters? Cpu { get; set; } = Counters((100, 50), (50, 25), (50, 25));

        public IReadOnlyList<double>? Load { get; set; } = [1, 2, 3];

        public MemoryReading? Memory { get; set; } = new(8L << 30, 4L << 30, 0, 0);

        public DiskReading? Disk { get; set; } = new(100L << 30, 50L << 30, 50L << 30);

        public GpuReading Gpus { get; set; } = GpuReading.None;

        public Dictionary<int, ProcessTreeReading> Trees { get; } = [];

        public IReadOnlyCollection<ProcessRoot> Roots { get; private set; } = [];

        public CpuCounters? ReadCpu() => Cpu;

        public IReadOnlyList<double>? ReadLoadAverage() => Load;

        public MemoryReading? ReadMemory() => Memory;

        public DiskReading? ReadDisk() => Disk;

        public GpuReading ReadGpus() => Gpus;

        public IReadOnlyDictionary<int, ProcessTreeReading> ReadProcessTrees(IReadOnlyCollection<ProcessRoot> roots)
        {
            Roots = [.. roots];
            return roots.Where(r => Trees.ContainsKey(r.Pid)).ToDictionary(r => r.Pid, r => Trees[r.Pid]);
        }
    }

    /// <summary>Wall time and the monotonic timestamp both move only when the test says.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = TestComponents.T0.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

        public override long GetTimestamp() => _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
