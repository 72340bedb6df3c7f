using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;
using Tekton.Domain.Resources;

namespace Tekton.Application.Resources;

/// <summary>What one sample measured of one supervised instance's process tree.</summary>
public sealed record InstanceMeasurement(
    Guid InstanceUuid,
    int Pid,
    int Processes,
    double? CpuPercent,
    long RssBytes,
    long VmsBytes,
    double? MemoryPercent,
    long? ReadBytes,
    long? WriteBytes,
    ProcessGpu? Gpu,
    DateTimeOffset At);

/// <summary>
/// Samples the machine and every supervised process tree on a fixed interval (design §8) and keeps the latest
/// sample and a ring of past ones, so that reads never touch the hardware. CPU figures are deltas between two
/// samples; the first sample is taken a quarter of a second after start.
/// </summary>
public sealed partial class ResourceMonitor : BackgroundService
{
    public const double Gib = 1024d * 1024 * 1024;
    public const double Mib = 1024d * 1024;

    private readonly IHardwareProbe _probe;
    private readonly RegistryProjection _projection;
    private readonly ResourceReports _reports;
    private readonly TimeProvider _clock;
    private readonly ILogger<ResourceMonitor> _logger;
    private readonly TimeSpan _interval;
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _historyGate = new();
    private readonly SystemResources[] _history;
    private int _historyNext;
    private int _historyCount;

    private Latest? _latest;
    private CpuCounters? _previousCpu;
    private Dictionary<Guid, (int Pid, ProcessTreeReading Reading, long Timestamp)> _previousTrees = [];
    private Dictionary<Guid, InstanceMeasurement> _measured = [];

    public ResourceMonitor(
        IHardwareProbe probe,
        RegistryProjection projection,
        ResourceReports reports,
        IOptions<ResourceOptions> options,
        TimeProvider clock,
        IMeterFactory meters,
        ILogger<ResourceMonitor> logger)
    {
        _probe = probe;
        _projection = projection;
        _reports = reports;
        _clock = clock;
        _logger = logger;
        _interval = TimeSpan.FromSeconds(options.Value.SampleIntervalSeconds);
        _history = new SystemResources[options.Value.HistoryCapacity];
        CreateMetrics(meters.Create("Tekton"));
    }

    public TimeSpan Interval => _interval;

    /// <summary>How long a read waits for the first sample before it gives up with 1006.</summary>
    public static readonly TimeSpan FirstSampleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The newest sample, waiting for the first one (taken a quarter second after start) when there is none yet.</summary>
    public async ValueTask<SystemResources> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _latest) is null)
        {
            try
            {
                await _first.Task.WaitAsync(FirstSampleTimeout, _clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TektonException(ErrorCode.Timeout,
                    $"No resource sample was taken within {FirstSampleTimeout.TotalSeconds} s of asking; see Tekton's log for why the sampler fails.");
            }
        }

        return Volatile.Read(ref _latest)!.System;
    }

    /// <summary>The retained samples of the last <paramref name="minutes"/>, oldest first.</summary>
    public IReadOnlyList<SystemResources> History(int minutes)
    {
        var since = _clock.GetUtcNow() - TimeSpan.FromMinutes(minutes);
        lock (_historyGate)
        {
            var samples = new List<SystemResources>(_historyCount);
            for (var i = 0; i < _historyCount; i++)
            {
                var sample = _history[(_historyNext - _historyCount + i + _history.Length) % _history.Length];
                if (sample.Timestamp >= since)
                {
                    samples.Add(sample);
                }
            }

            return samples;
        }
    }

    /// <summary>The last measurement of a supervised instance's process tree, or null when it is not measured.</summary>
    public InstanceMeasurement? Measured(Guid instanceUuid) => Volatile.Read(ref _measured).GetValueOrDefault(instanceUuid);

    /// <summary>What is free now, for the requirement check of a start (design §8.3).</summary>
    public async ValueTask<FreeCapacity> FreeAsync(CancellationToken cancellationToken)
    {
        await CurrentAsync(cancellationToken);
        var latest = Volatile.Read(ref _latest)!;
        return new FreeCapacity(
            latest.Memory?.AvailableBytes / Gib,
            latest.Disk?.AvailableBytes / Gib,
            [.. latest.Gpus.Devices.Select(d => (d.MemoryFreeBytes ?? 0) / Gib)]);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            _previousCpu = _probe.ReadCpu();
            await Task.Delay(TimeSpan.FromTicks(Math.Min(_interval.Ticks, TimeSpan.FromMilliseconds(250).Ticks)), _clock, stoppingToken);
            Sample();
            using var timer = new PeriodicTimer(_interval, _clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>Takes one sample; a probe that fails is logged and the previous figures stay.</summary>
    internal void Sample()
    {
        try
        {
            var now = _clock.GetUtcNow();
            var cpu = _probe.ReadCpu();
            var memory = _probe.ReadMemory();
            var disk = _probe.ReadDisk();
            var gpus = _probe.ReadGpus();
            var system = new SystemResources(
                CpuFigures(_previousCpu, cpu, _probe.ReadLoadAverage()),
                MemoryFigures(memory),
                DiskFigures(disk),
                [.. gpus.Devices.Select(GpuFigures)],
                now);
            _previousCpu = cpu;
            MeasureProcesses(gpus, memory, now);

            Volatile.Write(ref _latest, new Latest(system, memory, disk, gpus));
            lock (_historyGate)
            {
                _history[_historyNext] = system;
                _historyNext = (_historyNext + 1) % _history.Length;
                _historyCount = Math.Min(_historyCount + 1, _history.Length);
            }

            _first.TrySetResult();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogSampleFailed(exception);
        }
    }

    private void MeasureProcesses(GpuReading gpus, MemoryReading? memory, DateTimeOffset now)
    {
        var snapshot = _projection.Current;
        _reports.Prune(id => snapshot.Find(id) is not null);
        var roots = new Dictionary<Guid, ProcessRoot>();
        foreach (var component in snapshot.Attended.Values)
        {
            foreach (var instance in component.Instances)
            {
                if (instance.Pid is { } pid && instance.Status.IsLive())
                {
                    roots[instance.InstanceUuid] = new ProcessRoot(pid, instance.ProcessStartTicks);
                }
            }
        }

        var timestamp = _clock.GetTimestamp();
        var trees = roots.Count == 0 ? new Dictionary<int, ProcessTreeReading>() : _probe.ReadProcessTrees(roots.Values);
        var previous = _previousTrees;
        var readings = new Dictionary<Guid, (int, ProcessTreeReading, long)>();
        var measured = new Dictionary<Guid, InstanceMeasurement>();
        foreach (var (instanceUuid, root) in roots)
        {
            if (!trees.TryGetValue(root.Pid, out var tree))
            {
                continue;
            }

            double? cpuPercent = null;
            // A restart relaunches the same instance as a new process: its first sample starts a new series.
            if (previous.TryGetValue(instanceUuid, out var before) && before.Pid == root.Pid)
            {
                var seconds = _clock.GetElapsedTime(before.Timestamp, timestamp).TotalSeconds;
                // A child that ends unwaited takes its CPU time with it, so the sum can shrink: never below zero.
                cpuPercent = seconds > 0 ? Math.Round(Math.Max(0, tree.CpuSeconds - before.Reading.CpuSeconds) / seconds * 100, 1) : null;
            }

            readings[instanceUuid] = (root.Pid, tree, timestamp);
            measured[instanceUuid] = new InstanceMeasurement(
                instanceUuid, root.Pid, tree.Pids.Count, cpuPercent, tree.RssBytes, tree.VmsBytes,
                memory is { TotalBytes: > 0 } m ? 100.0 * tree.RssBytes / m.TotalBytes : null, tree.ReadBytes, tree.WriteBytes, GpuOf(tree, gpus), now);
        }

        _previousTrees = readings;
        Volatile.Write(ref _measured, measured);
    }

    /// <summary>The GPU holding most of the tree's GPU memory, and that memory in GiB.</summary>
    private static ProcessGpu? GpuOf(ProcessTreeReading tree, GpuReading gpus)
    {
        if (gpus.Processes.Count == 0)
        {
            return null;
        }

        var pids = tree.Pids.ToHashSet();
        return gpus.Processes.Where(p => pids.Contains(p.Pid))
            .GroupBy(p => p.GpuId)
            .Select(g => new ProcessGpu { Id = g.Key, MemoryUsed = Math.Round(g.Sum(p => p.UsedBytes) / Gib, 3) })
            .OrderByDescending(g => g.MemoryUsed)
            .FirstOrDefault();
    }

    private static CpuFigures CpuFigures(CpuCounters? before, CpuCounters? now, IReadOnlyList<double>? load) => new(
        before is null || now is null ? null : Busy(before.Overall, now.Overall),
        before is null || now is null || before.PerCore.Count != now.PerCore.Count
            ? null
            : [.. now.PerCore.Select((core, i) => Busy(before.PerCore[i], core))],
        now?.PerCore.Count ?? Environment.ProcessorCount,
        load);

    private static double Busy(CpuTimes before, CpuTimes now)
    {
        var total = now.Total >= before.Total ? now.Total - before.Total : 0;
        var idle = now.Idle >= before.Idle ? now.Idle - before.Idle : 0;
        return total == 0 ? 0 : Math.Round(Math.Clamp(100.0 * (total - Math.Min(idle, total)) / total, 0, 100), 1);
    }

    private static MemoryFigures MemoryFigures(MemoryReading? memory) => memory is null
        ? new MemoryFigures(null, null, null, null, null, null, null)
        : new MemoryFigures(
            Gb(memory.TotalBytes),
            Gb(memory.TotalBytes - memory.AvailableBytes),
            Gb(memory.AvailableBytes),
            memory.TotalBytes == 0 ? 0 : Math.Round(100.0 * (memory.TotalBytes - memory.AvailableBytes) / memory.TotalBytes, 1),
            Gb(memory.SwapTotalBytes),
            Gb(memory.SwapTotalBytes - memory.SwapFreeBytes),
            Gb(memory.SwapFreeBytes));

    private static DiskFigures DiskFigures(DiskReading? disk) => disk is null
        ? new DiskFigures(null, null, null, null)
        : new DiskFigures(
            Gb(disk.TotalBytes),
            Gb(disk.UsedBytes),
            Gb(disk.AvailableBytes),
            disk.UsedBytes + disk.AvailableBytes == 0 ? 0 : Math.Round(100.0 * disk.UsedBytes / (disk.UsedBytes + disk.AvailableBytes), 1));

    private static GpuFigures GpuFigures(GpuDevice gpu) => new(
        gpu.Id, gpu.Name, gpu.Util, Gb(gpu.MemoryTotalBytes), Gb(gpu.MemoryUsedBytes), Gb(gpu.MemoryFreeBytes), gpu.Temperature);

    private static double Gb(long bytes) => Math.Round(bytes / Gib, 3);

    private static double? Gb(long? bytes) => bytes is { } b ? Gb(b) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A resource sample failed; the previous figures stay")]
    private partial void LogSampleFailed(Exception exception);

    private sealed record Latest(SystemResources System, MemoryReading? Memory, DiskReading? Disk, GpuReading Gpus);

    /// <summary>The system figures in <c>/metrics</c>, read from the latest sample (bytes and percent, as Prometheus expects).</summary>
    private void CreateMetrics(Meter meter)
    {
        meter.CreateObservableGauge("system.cpu.percent", () => Figures(s => s.Cpu.OverallPercent is { } p ? [new(p)] : []),
            "%", "Percent (0-100) of all cores busy over the last sample interval");
        meter.CreateObservableGauge("system.cpu.core_percent",
            () => Figures(s => s.Cpu.PerCore is { } cores ? [.. cores.Select((p, i) => new Measurement<double>(p, new KeyValuePair<string, object?>("core", i)))] : []),
            "%", "Percent (0-100) busy per core");
        meter.CreateObservableGauge("system.load_average",
            () => Figures(s => s.Cpu.LoadAverage is { Count: 3 } l
                ? [new(l[0], Tag("period", "1m")), new(l[1], Tag("period", "5m")), new(l[2], Tag("period", "15m"))]
                : []),
            null, "Load average");
        meter.CreateObservableGauge("system.memory.bytes", () => Raw(l => l.Memory is { } m
            ? [new(m.TotalBytes, Tag("state", "total")), new(m.TotalBytes - m.AvailableBytes, Tag("state", "used")), new(m.AvailableBytes, Tag("state", "free"))]
            : []), "By", "Memory in bytes: total, used (total - available), free (available)");
        meter.CreateObservableGauge("system.swap.bytes", () => Raw(l => l.Memory is { } m
            ? [new(m.SwapTotalBytes, Tag("state", "total")), new(m.SwapTotalBytes - m.SwapFreeBytes, Tag("state", "used")), new(m.SwapFreeBytes, Tag("state", "free"))]
            : []), "By", "Swap in bytes");
        meter.CreateObservableGauge("system.disk.bytes", () => Raw(l => l.Disk is { } d
            ? [new(d.TotalBytes, Tag("state", "total")), new(d.UsedBytes, Tag("state", "used")), new(d.AvailableBytes, Tag("state", "free"))]
            : []), "By", "The data folder's filesystem in bytes");
        meter.CreateObservableGauge("gpu.utilization_percent", () => Raw(l =>
            [.. l.Gpus.Devices.Where(g => g.Util is not null).Select(g => new Measurement<double>(g.Util!.Value, Tag("gpu", g.Id)))]),
            "%", "Percent (0-100) of time each GPU was busy");
        meter.CreateObservableGauge("gpu.memory.bytes", () => Raw(l =>
            [.. l.Gpus.Devices.SelectMany(g => new[] { ("total", g.MemoryTotalBytes), ("used", g.MemoryUsedBytes), ("free", g.MemoryFreeBytes) }
                .Where(f => f.Item2 is not null)
                .Select(f => new Measurement<double>(f.Item2!.Value, Tag("gpu", g.Id), Tag("state", f.Item1))))]),
            "By", "GPU memory in bytes");
        meter.CreateObservableGauge("gpu.temperature_celsius", () => Raw(l =>
            [.. l.Gpus.Devices.Where(g => g.Temperature is not null).Select(g => new Measurement<double>(g.Temperature!.Value, Tag("gpu", g.Id)))]),
            "Cel", "GPU temperature in degrees Celsius");
    }

    private IEnumerable<Measurement<double>> Figures(Func<SystemResources, Measurement<double>[]> select) =>
        Volatile.Read(ref _latest) is { } latest ? select(latest.System) : [];

    private IEnumerable<Measurement<double>> Raw(Func<Latest, Measurement<double>[]> select) =>
        Volatile.Read(ref _latest) is { } latest ? select(latest) : [];

    private static KeyValuePair<string, object?> Tag(string name, object value) => new(name, value);
}
