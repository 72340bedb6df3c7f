using System.Globalization;
using System.Net;
using System.Text;

namespace Tekton.Benchmarks;

/// <summary>
/// Memory per registered component: starts a Tekton server on a fresh database, registers components through the
/// API with CLIENTS concurrent callers up to each of COUNTS in turn, and at each count (the server idle) induces a
/// full GC from outside and reads the managed heap it left and the process's resident memory. The cost of one
/// component is the slope of those figures over the counts (least squares).
/// </summary>
public static class MemoryBenchmark
{
    /// <summary>Registered first, without dependencies; the others depend on two of them.</summary>
    private const int CoreComponents = 8;

    private static readonly string[] Types = ["service", "memory", "worker", "ui", "gateway"];

    private static readonly string[] Capabilities =
    [
        "data_processing", "visualization", "memory_storage", "vector_search", "text_generation", "text_embedding",
        "text_classification", "scheduling", "indexing", "translation", "summarization", "orchestration",
    ];

    /// <summary>Runs the benchmark; with <paramref name="saveDatabase"/>, the stopped server's database is copied there (for <c>coldstart</c>).</summary>
    public static async Task<int> RunAsync(string webDll, int clients, int[] counts, string? saveDatabase)
    {
        var folder = Directory.CreateTempSubdirectory("tekton-memory-").FullName;
        var points = new List<(int Components, HeapAfterGc Memory)>();
        var errors = 0;
        var registered = 0;
        var registerSeconds = 0.0;
        try
        {
            await using (var server = ServerProcess.Start(webDll, folder))
            {
                await server.WaitReadyAsync(TimeSpan.FromSeconds(60));
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients })
                {
                    BaseAddress = server.BaseUrl,
                    Timeout = TimeSpan.FromMinutes(2),
                };
                foreach (var count in counts.Order())
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    errors += await RegisterUpToAsync(http, registered, count, clients);
                    registerSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
                    registered = count;
                    await VerifyCountAsync(http, count);
                    await Task.Delay(TimeSpan.FromSeconds(2)); // let write-behind and upkeep settle before measuring
                    points.Add((count, await server.FullGcAsync()));
                }
            }

            if (saveDatabase is not null)
            {
                // The server stopped cleanly, so the database is checkpointed into its one file.
                File.Copy(Path.Combine(folder, "tekton.db"), saveDatabase, overwrite: true);
            }

            var (heapSlope, _) = Fit(points.Select(p => ((double)p.Components, (double)p.Memory.LiveBytes)));
            var (rssSlope, _) = Fit(points.Select(p => ((double)p.Components, (double)p.Memory.Rss)));
            var last = points[^1];
            var previous = points.Count > 1 ? points[^2] : points[^1];
            var span = Math.Max(1, last.Components - previous.Components);
            var json = new StringBuilder();
            json.Append(CultureInfo.InvariantCulture,
                $$"""{"benchmark":"memory","clients":{{clients}},"registered":{{registered}},"errors":{{errors}},"register_seconds":{{registerSeconds:F1}},"per_second":{{(registered - CoreComponents) / Math.Max(registerSeconds, 0.001):F0}},""");
            json.Append(CultureInfo.InvariantCulture,
                $$"""
                "heap_per_component_bytes":{{heapSlope:F0}},"rss_per_component_bytes":{{rssSlope:F0}},"heap_per_component_marginal_bytes":{{(double)(last.Memory.LiveBytes - previous.Memory.LiveBytes) / span:F0}},"rss_per_component_marginal_bytes":{{(double)(last.Memory.Rss - previous.Memory.Rss) / span:F0}},"points":[
                """);
            json.AppendJoin(',', points.Select(p => string.Create(CultureInfo.InvariantCulture,
                $$"""{"components":{{p.Components}},"heap_bytes":{{p.Memory.LiveBytes}},"heap_with_fragmentation_bytes":{{p.Memory.HeapBytes}},"rss_bytes":{{p.Memory.Rss}},"rss_anon_bytes":{{p.Memory.RssAnon}}}""")));
            json.Append("]}");
            Console.WriteLine(json);
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The body of component number <paramref name="n"/>: the reference's fields, a few dependencies, realistic sizes.</summary>
    public static string Body(int n)
    {
        if (n < CoreComponents)
        {
            return $$$"""{"component_id":"core-{{{n}}}","component_name":"Core Service {{{n}}}","component_type":"service","version":"1.0.0","capabilities":["orchestration","memory_storage"],"host":"localhost","port":{{{8000 + n}}},"health_check":"/api/health","metadata":{"description":"Core service {{{n}}} of the benchmark","contact":"platform@example.com"}}""";
        }

        var type = Types[n % Types.Length];
        var dependencies = $"\"core-{n % CoreComponents}\",\"core-{(n + 3) % CoreComponents}\",\"{type}-{n / 2:D6}\"";
        return $$$"""{"component_id":"{{{type}}}-{{{n:D6}}}","component_name":"Bench {{{char.ToUpperInvariant(type[0])}}}{{{type[1..]}}} {{{n}}}","component_type":"{{{type}}}","version":"1.{{{n % 7}}}.{{{n % 3}}}","capabilities":["{{{Capabilities[n % Capabilities.Length]}}}","{{{Capabilities[(n + 1 + n / 3 % (Capabilities.Length - 1)) % Capabilities.Length]}}}"],"dependencies":[{{{dependencies}}}],"host":"10.0.{{{n / 250 % 256}}}.{{{n % 250 + 1}}}","port":{{{8000 + n % 1000}}},"health_check":"/api/health","metadata":{"description":"Benchmark {{{type}}} {{{n}}} for data processing","contact":"team-{{{n % 40}}}@example.com","storage_type":"vector"}}""";
    }

    /// <summary>Registers components number <paramref name="from"/> to <paramref name="to"/> (exclusive); returns the errors.</summary>
    public static async Task<int> RegisterUpToAsync(HttpClient http, int from, int to, int clients)
    {
        // The core components go first, one by one, so that the others' dependencies exist.
        for (; from < Math.Min(to, CoreComponents); from++)
        {
            await PostAsync(http, from);
        }

        var next = from - 1;
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            for (var n = Interlocked.Increment(ref next); n < to; n = Interlocked.Increment(ref next))
            {
                errors += await PostAsync(http, n);
            }
        }));
        return errors;

        // A failed registration is retried, so that the count is reached; the failures are counted.
        static async Task<int> PostAsync(HttpClient http, int n)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var response = await http.PostAsync("/api/tekton/components", new StringContent(Body(n), Encoding.UTF8, "application/json"));
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        return attempt;
                    }

                    if (attempt >= 5)
                    {
                        throw new InvalidOperationException($"Registering component {n} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (HttpRequestException) when (attempt < 5)
                {
                }

                await Task.Delay(100);
            }
        }
    }

    private static async Task VerifyCountAsync(HttpClient http, int expected)
    {
        var count = await ColdStartBenchmark.CountComponentsAsync(http);
        if (count != expected)
        {
            throw new InvalidOperationException($"The server lists {count} components; {expected} were registered.");
        }
    }

    /// <summary>Least-squares line through the points: slope and intercept.</summary>
    public static (double Slope, double Intercept) Fit(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        if (list.Count < 2)
        {
            return (0, list.Count == 1 ? list[0].Y : 0);
        }

        var meanX = list.Average(p => p.X);
        var meanY = list.Average(p => p.Y);
        var sxx = list.Sum(p => (p.X - meanX) * (p.X - meanX));
        var sxy = list.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var slope = sxx == 0 ? 0 : sxy / sxx;
        return (slope, meanY - slope * meanX);
    }
}
