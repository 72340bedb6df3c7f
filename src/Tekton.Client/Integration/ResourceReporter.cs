using System.Diagnostics;
using System.Globalization;

namespace Tekton.Client;

/// <summary>
/// Reports this process's own resource usage to Tekton every interval (<c>POST …/resources</c>): CPU in percent
/// of one core since the previous report, resident and virtual memory, and storage I/O where the operating
/// system exposes it (<c>/proc/self/io</c> on Linux). Network bytes are not known per process and are not sent.
/// </summary>
public sealed class ResourceReporter : IAsyncDisposable
{
    private const double MiB = 1024 * 1024;
    private readonly TektonClient _client;
    private readonly string _componentId;
    private readonly Guid? _instanceUuid;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;
    private TimeSpan _lastCpu;
    private long _lastTimestamp;
    private long _reports;

    /// <summary>A reporter for <paramref name="componentId"/> (and its instance) every <paramref name="interval"/>.</summary>
    public ResourceReporter(TektonClient client, string componentId, Guid? instanceUuid, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _client = client;
        _componentId = componentId;
        _instanceUuid = instanceUuid;
        _interval = interval;
        using var self = Process.GetCurrentProcess();
        _lastCpu = self.TotalProcessorTime;
        _lastTimestamp = client.Options.TimeProvider.GetTimestamp();
    }

    /// <summary>As the reference's <c>ResourceReporter(component_id, instance_uuid, interval=10)</c>, in seconds.</summary>
    public ResourceReporter(TektonClient client, string componentId, Guid? instanceUuid = null, double interval = 10)
        : this(client, componentId, instanceUuid, TimeSpan.FromSeconds(interval))
    {
    }

    /// <summary>Reports Tekton accepted.</summary>
    public long Reports => Interlocked.Read(ref _reports);

    /// <summary>The latest failure to report.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Called when a report fails; reporting goes on.</summary>
    public Action<Exception>? OnError { get; set; }

    /// <summary>Starts reporting in the background, the first report at once.</summary>
    public Task StartAsync()
    {
        lock (_gate)
        {
            if (_stop is null)
            {
                _stop = new CancellationTokenSource();
                _loop = RunAsync(_stop.Token);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops reporting and waits for a report in flight.</summary>
    public async Task StopAsync()
    {
        CancellationTokenSource? stop;
        lock (_gate)
        {
            stop = _stop;
            _stop = null;
        }

        if (stop is not null)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            stop.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Reads this process's figures now; CPU is the share of one core since the previous reading.</summary>
    public ResourceUsage Measure()
    {
        using var self = Process.GetCurrentProcess();
        var time = _client.Options.TimeProvider;
        var now = time.GetTimestamp();
        var cpu = self.TotalProcessorTime;
        var elapsed = time.GetElapsedTime(_lastTimestamp, now);
        double? cpuPercent = elapsed > TimeSpan.Zero ? Math.Round((cpu - _lastCpu).TotalSeconds / elapsed.TotalSeconds * 100, 1) : null;
        _lastCpu = cpu;
        _lastTimestamp = now;

        var rss = self.WorkingSet64;
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return new ResourceUsage
        {
            InstanceUuid = _instanceUuid,
            CpuPercent = cpuPercent is { } c ? Math.Max(0, c) : null,
            Memory = new ProcessMemory(
                Math.Round(rss / MiB, 1),
                Math.Round(self.VirtualMemorySize64 / MiB, 1),
                total > 0 ? Math.Min(100, Math.Round(rss * 100.0 / total, 1)) : null),
            DiskIo = ReadOwnIo(),
        };
    }

    private async Task RunAsync(CancellationToken stop)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(_interval, _client.Options.TimeProvider);
        do
        {
            try
            {
                await _client.ReportResourcesAsync(_componentId, Measure(), stop).ConfigureAwait(false);
                Interlocked.Increment(ref _reports);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LastError = exception;
                OnError?.Invoke(exception);
            }
        }
        while (await Tick(timer, stop).ConfigureAwait(false));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static ProcessDiskIo? ReadOwnIo()
    {
        try
        {
            long? read = null, written = null;
            foreach (var line in File.ReadLines("/proc/self/io"))
            {
                if (line.StartsWith("read_bytes:", StringComparison.Ordinal))
                {
                    read = long.Parse(line.AsSpan("read_bytes:".Length).Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                {
                    written = long.Parse(line.AsSpan("write_bytes:".Length).Trim(), CultureInfo.InvariantCulture);
                }
            }

            return read is null && written is null ? null : new ProcessDiskIo(read, written);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
