using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Tekton.Benchmarks;

/// <summary>
/// Cold start on an existing registry: copies DATABASE (one made by <c>memory</c>) into a fresh folder, starts the
/// server on it, and times how long until <c>/health/ready</c> answers 200 and until <c>GET /api/tekton/components</c>
/// lists all EXPECTED components; then reads the server's memory as it stands and after a full GC.
/// </summary>
public static class ColdStartBenchmark
{
    /// <summary><paramref name="database"/> "none" starts on an empty database, as the reference for the fixed cost.</summary>
    public static async Task<int> RunAsync(string webDll, string database, int expected)
    {
        var folder = Directory.CreateTempSubdirectory("tekton-coldstart-").FullName;
        try
        {
            if (database != "none")
            {
                File.Copy(database, Path.Combine(folder, "tekton.db"));
            }

            await using var server = ServerProcess.Start(webDll, folder);
            var ready = await server.WaitReadyAsync(TimeSpan.FromMinutes(5));
            var readyRss = server.Resident().Rss;

            // The first list that holds every component; a server that answered ready before it loaded would show here.
            int listed;
            long listStarted, listedAt;
            var lists = 0;
            do
            {
                listStarted = Stopwatch.GetTimestamp();
                listed = await CountComponentsAsync(server.Http);
                listedAt = Stopwatch.GetTimestamp();
                lists++;
            }
            while (listed < expected && Stopwatch.GetElapsedTime(server.StartedAt).TotalMinutes < 5);

            var afterList = server.Resident();
            var gc = await server.FullGcAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $$"""{"benchmark":"coldstart","components":{{listed}},"expected":{{expected}},"ready_ms":{{Ms(server.StartedAt, ready):F0}},"listed_ms":{{Ms(server.StartedAt, listedAt):F0}},"list_request_ms":{{Ms(listStarted, listedAt):F0}},"lists":{{lists}},"rss_ready_bytes":{{readyRss}},"rss_after_list_bytes":{{afterList.Rss}},"heap_bytes":{{gc.LiveBytes}},"heap_with_fragmentation_bytes":{{gc.HeapBytes}},"rss_after_gc_bytes":{{gc.Rss}},"rss_anon_after_gc_bytes":{{gc.RssAnon}}}"""));
            return listed == expected ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>How many components <c>GET /api/tekton/components</c> lists.</summary>
    public static async Task<int> CountComponentsAsync(HttpClient http)
    {
        await using var stream = await http.GetStreamAsync("/api/tekton/components");
        using var document = await JsonDocument.ParseAsync(stream);
        return document.RootElement.GetProperty("components").GetArrayLength();
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
