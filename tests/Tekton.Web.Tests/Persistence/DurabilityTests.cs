using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Tekton.Web.Tests.Persistence;

/// <summary>What was acknowledged is on disk: across a clean restart and across SIGKILL.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task The_registry_reads_back_the_same_after_a_restart()
    {
        await using var server = await TektonServer.StartAsync();
        await ReferenceStack.RegisterAsync(server);
        var engram = await server.RegisterAsync("engram", ["hermes"], type: "memory", extra: """ "port":8000,"metadata":{"k":[1,2,{"x":null}]} """);
        await server.PutJsonAsync($"/api/tekton/components/engram/instances/{engram}/state", """{"state":"ready"}""");
        await server.PostJsonAsync("/api/tekton/components/engram/heartbeat", """{"health":{"database":"healthy"}}""");
        var rhetor = (await server.GetObjectAsync("/api/tekton/components/rhetor/status"))["instance_uuid"]!.GetValue<Guid>();
        await server.PutJsonAsync($"/api/tekton/components/rhetor/instances/{rhetor}/state", """{"state":"failed","reason":"crashed"}""");
        var before = await ReadEverythingAsync(server);

        await server.RestartAsync();

        var after = await ReadEverythingAsync(server);
        after.Should().Be(before);
        var details = await server.GetObjectAsync("/api/tekton/components/engram");
        details["last_heartbeat"].Should().NotBeNull("heartbeat times are written behind at shutdown");
        details["instances"]!.AsArray().Should().HaveCount(2);
        (await server.GetObjectAsync("/api/tekton/components/rhetor"))["instances"]![0]!["reason"]!.GetValue<string>().Should().Be("crashed");
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_SIGKILL_in_the_middle_of_a_burst()
    {
        var directory = Directory.CreateTempSubdirectory("tekton-crash-").FullName;
        var database = Path.Combine(directory, "tekton.db");
        var registered = new ConcurrentBag<(string Id, Guid Instance)>();
        var markedReady = new ConcurrentBag<string>();
        try
        {
            await using (var tekton = await TektonProcess.StartAsync(database))
            {
                using var client = new HttpClient { BaseAddress = tekton.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
                using var stop = new CancellationTokenSource();
                var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested && i < 5_000; i++)
                    {
                        var id = $"crash-{worker}-{i}";
                        try
                        {
                            using var response = await client.PostAsync("/api/tekton/components", Json(
                                $$"""{"component_id":"{{id}}","component_name":"Crash {{i}}","component_type":"service","version":"1.0.0"}"""));
                            if (response.StatusCode != HttpStatusCode.Created)
                            {
                                continue;
                            }

                            var instance = (await response.Content.ReadFromJsonAsync<JsonObject>())!["instance_uuid"]!.GetValue<Guid>();
                            registered.Add((id, instance));
                            using var ready = await client.PutAsync($"/api/tekton/components/{id}/instances/{instance}/state", Json("""{"state":"ready"}"""));
                            if (ready.StatusCode == HttpStatusCode.OK)
                            {
                                markedReady.Add(id);
                            }
                        }
                        // HttpClient lets some failures of a killed server out unwrapped: a SocketException from the socket's remote
                        // end point right after connecting, an IOException while a body is read.
                        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException or IOException)
                        {
                            return;
                        }
                    }
                })).ToArray();

                // Kill while requests are in flight, once enough have been acknowledged to make the check meaningful.
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (registered.Count < 300 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(10);
                }

                await tekton.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(workers);
                registered.Should().HaveCountGreaterThanOrEqualTo(300);
            }

            await using var restarted = await TektonProcess.StartAsync(database);
            using var reader = new HttpClient { BaseAddress = restarted.BaseAddress };
            var list = (await reader.GetFromJsonAsync<JsonObject>("/api/tekton/components"))!["components"]!.AsArray()
                .ToDictionary(c => c!["component_id"]!.GetValue<string>(), c => c!["status"]!.GetValue<string>());
            foreach (var (id, _) in registered)
            {
                list.Should().ContainKey(id, "its registration was acknowledged before the kill");
            }

            foreach (var id in markedReady)
            {
                list[id].Should().Be("ready", "its state change was acknowledged before the kill");
            }

            await restarted.KillAsync();
            SqliteFile.IntegrityCheck(database).Should().Be("ok");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Every read answer, with the clock-dependent uptime removed, as one string.</summary>
    private static async Task<string> ReadEverythingAsync(TektonServer server)
    {
        var builder = new StringBuilder();
        var list = await server.GetObjectAsync("/api/tekton/components");
        builder.AppendLine(list.ToJsonString());
        builder.AppendLine((await server.GetObjectAsync("/api/tekton/dependencies")).ToJsonString());
        foreach (var component in list["components"]!.AsArray())
        {
            var id = component!["component_id"]!.GetValue<string>();
            var details = await server.GetObjectAsync($"/api/tekton/components/{id}");
            details.Remove("uptime");
            var status = await server.GetObjectAsync($"/api/tekton/components/{id}/status");
            status.Remove("uptime");
            builder.AppendLine(details.ToJsonString()).AppendLine(status.ToJsonString());
            builder.AppendLine((await server.GetObjectAsync($"/api/tekton/components/{id}/dependencies")).ToJsonString());
        }

        return builder.ToString();
    }
}
