using System.Diagnostics;
using System.Globalization;

namespace Tekton.Benchmarks;

/// <summary>Closed-loop GETs of one path by CLIENTS concurrent callers: requests per second and latency.</summary>
public static class ReadBenchmark
{
    public static async Task<int> RunAsync(Uri baseUrl, string path, int clients, double seconds)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseUrl,
        };

        await Load(http, path, clients, TimeSpan.FromSeconds(2));
        var (latencies, errors, elapsed) = await Load(http, path, clients, TimeSpan.FromSeconds(seconds));

        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"reads","path":"{{path}}","clients":{{clients}},"seconds":{{elapsed:F2}},"requests":{{latencies.Count}},"errors":{{errors}},"per_second":{{latencies.Count / elapsed:F0}},"p50_ms":{{GraphBenchmark.Percentile(latencies, 0.5):F3}},"p99_ms":{{GraphBenchmark.Percentile(latencies, 0.99):F3}}}"""));
        return errors == 0 ? 0 : 1;
    }

    /// <summary>Closed-loop POSTs of the given bodies in turn.</summary>
    public static async Task<int> RunPostAsync(Uri baseUrl, string path, string[] bodies, int clients, double seconds, string name)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseUrl,
        };

        await Load(http, path, clients, TimeSpan.FromSeconds(2), bodies);
        var (latencies, errors, elapsed) = await Load(http, path, clients, TimeSpan.FromSeconds(seconds), bodies);

        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"{{name}}","path":"{{path}}","clients":{{clients}},"seconds":{{elapsed:F2}},"requests":{{latencies.Count}},"errors":{{errors}},"per_second":{{latencies.Count / elapsed:F0}},"p50_ms":{{GraphBenchmark.Percentile(latencies, 0.5):F3}},"p99_ms":{{GraphBenchmark.Percentile(latencies, 0.99):F3}}}"""));
        return errors == 0 ? 0 : 1;
    }

    private static async Task<(List<double> Latencies, int Errors, double Elapsed)> Load(
        HttpClient http, string path, int clients, TimeSpan duration, string[]? bodies = null)
    {
        var stop = Stopwatch.StartNew();
        var perClient = new List<double>[clients];
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var latencies = perClient[client] = [];
            for (var i = client; stop.Elapsed < duration; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = bodies is null
                    ? await http.GetAsync(path, HttpCompletionOption.ResponseContentRead)
                    : await http.PostAsync(path, new StringContent(bodies[i % bodies.Length], System.Text.Encoding.UTF8, "application/json"));
                if (response.IsSuccessStatusCode)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        return ([.. perClient.SelectMany(l => l)], errors, stop.Elapsed.TotalSeconds);
    }
}
