using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Tekton.Benchmarks;

/// <summary>
/// A Tekton server that a benchmark starts itself (<c>dotnet Tekton.Web.dll</c>), on a database in a folder of its
/// own, and reads from outside: its resident memory from <c>/proc</c>, its managed heap after a full GC that the
/// benchmark induces through the runtime's diagnostics port (<see cref="DiagnosticsPort"/>).
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private ServerProcess(Process process, Uri baseUrl, string folder)
    {
        _process = process;
        BaseUrl = baseUrl;
        Folder = folder;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(5) };
    }

    public Uri BaseUrl { get; }

    /// <summary>The content root; the database is <c>tekton.db</c> in it.</summary>
    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "tekton.db");

    public int Pid => _process.Id;

    public HttpClient Http { get; }

    /// <summary>When <see cref="Start"/> launched the process.</summary>
    public long StartedAt { get; private set; }

    /// <summary>Starts the server in <paramref name="folder"/> (its database there) and returns at once, before it is ready.</summary>
    public static ServerProcess Start(string webDll, string folder, params string[] settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            webDll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", folder,
            $"--Tekton:Database:ConnectionString=Data Source={Path.Combine(folder, "tekton.db")}",
            "--Logging:LogLevel:Default=Warning", .. settings])
        {
            info.ArgumentList.Add(argument);
        }

        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), folder) { StartedAt = started };
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls <c>/health/ready</c> every 10 ms until it answers 200; returns when it did.</summary>
    public async Task<long> WaitReadyAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await probe.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Stopwatch.GetTimestamp();
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"The server was not ready within {timeout}:\n{Output}");
    }

    /// <summary>The last lines the server wrote.</summary>
    public string Output
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    /// <summary>Resident memory (<c>VmRSS</c>) and its anonymous part (<c>RssAnon</c>: heaps, not mapped files), in bytes.</summary>
    public (long Rss, long RssAnon) Resident()
    {
        long rss = 0, anon = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kilobytes(line);
            }
        }

        return (rss, anon);

        static long Kilobytes(string line) =>
            1024 * long.Parse(line.Split(':', StringSplitOptions.TrimEntries)[1].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Induces a full blocking GC from outside (an EventPipe session with the GCHeapCollect keyword, as dotnet-gcdump
    /// does) and reads the heap as that GC left it from the System.Runtime meter on <c>/metrics</c>. Retries when another
    /// GC ran between the induced one and the reading, so the figures are always those of the induced full GC.
    /// </summary>
    public async Task<HeapAfterGc> FullGcAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await ReadGcAsync();
            await DiagnosticsPort.InduceFullGcAsync(Pid, async () => (await ReadGcAsync()).Gen2Count > before.Gen2Count, TimeSpan.FromSeconds(60));
            var after = await ReadGcAsync();
            // A gen2 GC counts as one collection of every generation; anything more means another GC ran since.
            if ((after.Gen2Count == before.Gen2Count + 1 && after.Gen0Count == before.Gen0Count + 1) || attempt == 4)
            {
                var (rss, anon) = Resident();
                return new HeapAfterGc(after.HeapBytes, after.FragmentationBytes, rss, anon);
            }
        }
    }

    /// <summary>Stops the server as an operator would (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(Pid, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        _process.Dispose();
    }

    private async Task<GcReading> ReadGcAsync()
    {
        var text = await Http.GetStringAsync("/metrics");
        long heap = 0, fragmentation = 0, gen0 = -1, gen2 = -1;
        foreach (Match match in MetricLine().Matches(text))
        {
            var name = match.Groups["name"].Value;
            var generation = match.Groups["generation"].Value;
            var value = (long)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            if (name.Contains("gc_last_collection_heap_size", StringComparison.Ordinal))
            {
                heap += value;
            }
            else if (name.Contains("gc_last_collection_heap_fragmentation_size", StringComparison.Ordinal))
            {
                fragmentation += value;
            }
            else if (name.Contains("gc_collections", StringComparison.Ordinal))
            {
                if (generation == "gen0")
                {
                    gen0 = value;
                }
                else if (generation == "gen2")
                {
                    gen2 = value;
                }
            }
        }

        if (gen2 < 0 || heap == 0)
        {
            throw new InvalidOperationException("/metrics has no System.Runtime GC figures (dotnet.gc.collections, dotnet.gc.last_collection.heap.size).");
        }

        return new GcReading(heap, fragmentation, gen0, gen2);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 50)
            {
                _lastLines.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    // Prometheus text: system_runtime_dotnet_gc_collections{gc_heap_generation="gen2"} 3 (names differ by exporter; matched by their middle).
    [GeneratedRegex("""^(?<name>[a-z_]*dotnet_gc_[a-z_]*)\{[^}]*gc_heap_generation="(?<generation>[a-z0-9]+)"[^}]*\}\s+(?<value>[0-9.eE+-]+)""", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    private readonly record struct GcReading(long HeapBytes, long FragmentationBytes, long Gen0Count, long Gen2Count);
}

/// <summary>The managed heap as a full GC left it (fragmentation included in <see cref="HeapBytes"/>), and resident memory then.</summary>
public readonly record struct HeapAfterGc(long HeapBytes, long FragmentationBytes, long Rss, long RssAnon)
{
    /// <summary>What the live objects occupy: the heap less the free space between them.</summary>
    public long LiveBytes => HeapBytes - FragmentationBytes;
}
