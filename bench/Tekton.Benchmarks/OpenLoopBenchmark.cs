using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tekton.Benchmarks;

/// <summary>
/// Latency at a fixed request rate, open loop: request i is due at start + i / RATE and is sent then whether or not
/// earlier answers have arrived (over as many connections as that needs), so a slow answer cannot hold back the
/// requests behind it and hide its cost the way a closed loop does. Latency is measured from the due time to the
/// answer, so time spent waiting to be sent counts too.
/// </summary>
public static class OpenLoopBenchmark
{
    public static async Task<int> RunAsync(Uri baseUrl, string method, string path, int rate, double seconds, string? body)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };

        await Run(http, method, path, rate, Math.Min(2, seconds), body); // warm-up: connections, JIT
        var (latencies, errors) = await Run(http, method, path, rate, seconds, body);

        Array.Sort(latencies);
        var sent = latencies.Length + errors;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"openloop","method":"{{method}}","path":"{{path}}","rate":{{rate}},"seconds":{{seconds}},"sent":{{sent}},"errors":{{errors}},"p50_ms":{{GraphBenchmark.Percentile(latencies, 0.5):F3}},"p99_ms":{{GraphBenchmark.Percentile(latencies, 0.99):F3}},"p999_ms":{{GraphBenchmark.Percentile(latencies, 0.999):F3}},"max_ms":{{(latencies.Length > 0 ? latencies[^1] : 0):F3}}}"""));
        return errors == 0 ? 0 : 1;
    }

    private static async Task<(double[] Latencies, int Errors)> Run(HttpClient http, string method, string path, int rate, double seconds, string? body)
    {
        var total = (int)(rate * seconds);
        var latencies = new double[total];
        var failed = new bool[total];
        var requests = new Task[total];
        var ticksPerRequest = (double)Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * ticksPerRequest);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            requests[i] = Send(http, method, path, body, due, i, latencies, failed);
        }

        await Task.WhenAll(requests);
        var errors = failed.Count(f => f);
        return ([.. latencies.Where((_, i) => !failed[i])], errors);
    }

    private static async Task Send(HttpClient http, string method, string path, string? body, long due, int index, double[] latencies, bool[] failed)
    {
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            await response.Content.ReadAsByteArrayAsync();
            latencies[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            failed[index] = !response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            failed[index] = true;
        }
        catch (TaskCanceledException)
        {
            failed[index] = true;
        }
    }
}
