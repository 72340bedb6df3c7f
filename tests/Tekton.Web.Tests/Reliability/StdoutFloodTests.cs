using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, faults: a supervised process writes to stdout as fast as it can for 8 s. Tekton's memory stays flat
/// (the output goes to the file, never through Tekton), and rotation keeps the log to LogFileMaxBytes per rotated
/// file and three rotated files, however fast the file grows between two rotations.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class StdoutFloodTests
{
    private const long MaxBytes = 1024 * 1024;
    private const long MaxGrowth = 150L * 1024 * 1024;

    [Fact]
    public async Task A_process_that_floods_stdout_grows_neither_memory_nor_its_rotated_logs()
    {
        var marker = $"tekton-flood-{Guid.NewGuid():N}";
        var directory = Directory.CreateTempSubdirectory("tekton-flood-").FullName;
        try
        {
            await using var tekton = await TektonProcess.StartAsync(
                Path.Combine(directory, "tekton.db"),
                $"--Tekton:Supervision:LogFileMaxBytes={MaxBytes}",
                "--Tekton:Supervision:LogRotationSeconds=0.5");
            using var http = new HttpClient { BaseAddress = tekton.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            // Line by line, as a chatty program logs: about 10 MB/s here, so the test stays kind to the disk.
            const string Flood = "import sys, time\nend = time.time() + 8\nline = 'flood ' + 'x' * 90 + '\\n'\nwhile time.time() < end:\n    sys.stdout.write(line)\nsys.stdout.flush()\ntime.sleep(120)\n";
            var registration = new JsonObject
            {
                ["component_id"] = "flood",
                ["component_name"] = "flood",
                ["component_type"] = "service",
                ["version"] = "1.0.0",
                ["launch"] = new JsonObject { ["command"] = "python3", ["args"] = new JsonArray("-c", Flood, marker), ["stop_timeout"] = 2 },
            };
            (await http.PostAsync("/api/tekton/components", new StringContent(registration.ToJsonString(), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            var baseline = ResidentBytes(tekton.Pid);

            using var started = await http.PostAsync("/api/tekton/components/flood/start?wait=true", null);
            started.StatusCode.Should().Be(HttpStatusCode.OK, await started.Content.ReadAsStringAsync());
            var instance = (await started.Content.ReadFromJsonAsync<JsonObject>())!["instance_uuid"]!.GetValue<string>();
            var log = Path.Combine(directory, "logs", "flood", $"{instance}.log");

            var peak = baseline;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(9))
            {
                peak = Math.Max(peak, ResidentBytes(tekton.Pid));
                using var tail = await http.GetAsync("/api/tekton/components/flood/logs?tail=200");
                tail.StatusCode.Should().Be(HttpStatusCode.OK, "the log stays readable during the flood");
                await Task.Delay(200);
            }

            (peak - baseline).Should().BeLessThan(MaxGrowth, $"Tekton's memory must not follow the process's output (baseline {baseline / 1048576} MiB, peak {peak / 1048576} MiB)");
            File.Exists($"{log}.1").Should().BeTrue("a flood of several MiB is rotated at 1 MiB");
            File.Exists($"{log}.4").Should().BeFalse("three rotated files are kept");
            foreach (var rotated in new[] { 1, 2, 3 }.Select(n => $"{log}.{n}").Where(File.Exists))
            {
                new FileInfo(rotated).Length.Should().BeLessThanOrEqualTo(MaxBytes, $"{Path.GetFileName(rotated)} keeps at most LogFileMaxBytes");
            }

            using var stop = await http.PostAsync("/api/tekton/components/flood/stop", new StringContent("""{"force":true}""", Encoding.UTF8, "application/json"));
            stop.StatusCode.Should().Be(HttpStatusCode.OK, await stop.Content.ReadAsStringAsync());
            Processes.WithMarker(marker).Should().BeEmpty("the flooding process was stopped");
        }
        finally
        {
            Processes.KillAll(marker);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
