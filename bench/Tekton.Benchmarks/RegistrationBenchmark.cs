using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Tekton.Benchmarks;

/// <summary>
/// Closed-loop load: CLIENTS concurrent callers register new components as fast as Tekton acknowledges them.
/// Every acknowledgement is a durable commit, so the rate measures the group-commit writer end to end.
/// </summary>
public static class RegistrationBenchmark
{
    public static async Task<int> RunAsync(Uri baseUrl, int clients, double seconds)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseUrl,
        };
        var run = Guid.NewGuid().ToString("N")[..8];

        // Warm up the connections and the JIT before measuring.
        await Load(http, clients, TimeSpan.FromSeconds(2), $"warm-{run}");
        var (count, errors, latencies, elapsed) = await Load(http, clients, TimeSpan.FromSeconds(seconds), run);

        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"registrations","clients":{{clients}},"seconds":{{elapsed:F2}},"acknowledged":{{count}},"errors":{{errors}},"per_second":{{count / elapsed:F0}},"p50_ms":{{GraphBenchmark.Percentile(latencies, 0.5):F2}},"p99_ms":{{GraphBenchmark.Percentile(latencies, 0.99):F2}}}"""));
        return errors == 0 ? 0 : 1;
    }

    private static async Task<(int Count, int Errors, List<double> Latencies, double Elapsed)> Load(HttpClient http, int clients, TimeSpan duration, string prefix)
    {
        var stop = Stopwatch.StartNew();
        var perClient = new List<double>[clients];
        var errors = 0;
        var tasks = Enumerable.Range(0, clients).Select(async client =>
        {
            var latencies = perClient[client] = [];
            for (var i = 0; stop.Elapsed < duration; i++)
            {
                var body = $$"""{"component_id":"{{prefix}}-{{client}}-{{i}}","component_name":"Bench","component_type":"service","version":"1.0.0","dependencies":["{{prefix}}-{{client}}-{{Math.Max(0, i - 1)}}"]}""";
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync("/api/tekton/components", new StringContent(i == 0 ? body.Replace($",\"dependencies\":[\"{prefix}-{client}-0\"]", string.Empty, StringComparison.Ordinal) : body, Encoding.UTF8, "application/json"));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        });
        await Task.WhenAll(tasks);
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = perClient.SelectMany(l => l).ToList();
        return (all.Count, errors, all, elapsed);
    }
}
