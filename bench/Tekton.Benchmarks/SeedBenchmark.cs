using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tekton.Benchmarks;

/// <summary>
/// Fills a Tekton server through its API before a measurement: COMPONENTS registrations (each depending on the
/// one registered before it by the same client, so the registry has edges) and MODELS models of
/// <see cref="RouteBenchmark.Catalog"/>.
/// </summary>
public static class SeedBenchmark
{
    public static async Task<int> RunAsync(Uri baseUrl, int components, int models)
    {
        const int Clients = 32;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients }) { BaseAddress = baseUrl };
        var started = Stopwatch.GetTimestamp();
        var next = -1;
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            string? previous = null;
            for (var i = Interlocked.Increment(ref next); i < components; i = Interlocked.Increment(ref next))
            {
                var id = $"seed-{i:D6}";
                var dependencies = previous is null ? string.Empty : $$""","dependencies":["{{previous}}"]""";
                var body = $$"""{"component_id":"{{id}}","component_name":"Seed {{i}}","component_type":"{{(i % 3 == 0 ? "memory" : "service")}}","version":"1.0.0","port":{{20000 + (i % 40000)}},"capabilities":["search","store"],"metadata":{"team":"bench"}{{dependencies}}}""";
                using var response = await http.PostAsync("/api/tekton/components", new StringContent(body, Encoding.UTF8, "application/json"));
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }

                previous = id;
            }
        }));

        foreach (var body in RouteBenchmark.Catalog(models).Select(RouteBenchmark.ModelBody))
        {
            using var response = await http.PostAsync("/api/tekton/models", new StringContent(body, Encoding.UTF8, "application/json"));
            if (!response.IsSuccessStatusCode)
            {
                errors++;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $$"""{"benchmark":"seed","components":{{components}},"models":{{models}},"errors":{{errors}},"seconds":{{Stopwatch.GetElapsedTime(started).TotalSeconds:F1}}}"""));
        return errors == 0 ? 0 : 1;
    }
}
