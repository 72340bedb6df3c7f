using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// A restart, clean or by SIGKILL, changes nothing a client can read: the registry's answers hash the same, and
/// a state subscriber that reconnects with <c>since_sequence</c> receives exactly the changes it missed, those
/// made before the crash and those made after, with no gap and no duplicate.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class RestartEquivalenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("SIGKILL")]
    [InlineData("SIGTERM")]
    public async Task The_registry_and_the_state_stream_read_back_the_same_after_a_restart(string signal)
    {
        var directory = Directory.CreateTempSubdirectory("tekton-restart-").FullName;
        var database = Path.Combine(directory, "tekton.db");
        try
        {
            var tekton = await TektonProcess.StartAsync(database);
            try
            {
                using var client = new HttpClient { BaseAddress = tekton.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
                await using var subscriber = await SubscribeAsync(tekton.BaseAddress, since: null);
                var written = new List<Change>();
                written.AddRange(await WriteAsync(client, "before", 120));
                await AddModelsAsync(client);

                // The subscriber has seen every change so far; it then goes away while more are made.
                var seen = await subscriber.CollectAsync("state_change", written.Count, TimeSpan.FromSeconds(30));
                seen.Select(Change.Of).Should().Equal(written);
                var lastSeen = seen[^1]["sequence"]!.GetValue<long>();
                await subscriber.DisposeAsync();
                var missed = await WriteAsync(client, "while-away", 40);

                var before = await ReadEverythingAsync(client);
                if (signal == "SIGKILL")
                {
                    await tekton.KillAsync();
                }
                else
                {
                    (await tekton.TerminateAsync(TimeSpan.FromSeconds(30))).Should().Be(0);
                }

                await tekton.DisposeAsync();
                tekton = await TektonProcess.StartAsync(database);
                using var restarted = new HttpClient { BaseAddress = tekton.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };

                var after = await ReadEverythingAsync(restarted);
                output.WriteLine($"{before.Hash} before, {after.Hash} after, {before.Text.Length} characters of answers");
                after.Text.Should().Be(before.Text);

                missed.AddRange(await WriteAsync(restarted, "after", 30));
                await using var back = await SubscribeAsync(tekton.BaseAddress, since: lastSeen);
                var replay = await back.CollectAsync("state_change", missed.Count, TimeSpan.FromSeconds(30));
                replay.Select(Change.Of).Should().Equal(missed, "the reconnected subscriber gets exactly what it missed, in order");
                replay.Select(e => e["sequence"]!.GetValue<long>()).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems()
                    .And.OnlyContain(s => s > lastSeen);

                // Nothing more than that follows: a change made now is the very next event.
                var probe = await WriteAsync(restarted, "probe", 1);
                Change.Of(await back.ExpectAsync("state_change")).Should().Be(probe.Single());
            }
            finally
            {
                await tekton.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<EventSocket> SubscribeAsync(Uri baseAddress, long? since)
    {
        var socket = await EventSocket.ConnectAsync(baseAddress, "/ws/tekton/state");
        await socket.SendAsync(since is null
            ? """{"action":"subscribe","component_types":["all"]}"""
            : $$"""{"action":"subscribe","component_types":["all"],"since_sequence":{{since}}}""");
        var subscribed = await socket.ExpectAsync("subscribed");
        subscribed["resync_required"]?.GetValue<bool>().Should().NotBe(true);
        return socket;
    }

    /// <summary>
    /// Registrations with dependencies, re-registrations, state changes and deregistrations, each acknowledged;
    /// returns the state changes they published, in order (one writer at a time, so the order is known).
    /// </summary>
    private static async Task<List<Change>> WriteAsync(HttpClient client, string prefix, int count)
    {
        var changes = new List<Change>();
        var instances = new List<(string Id, Guid Instance, string State)>();
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i / 4}";
            switch (i % 4)
            {
                case 0:
                case 2:
                    var dependencies = i >= 4 ? $"\"{prefix}-{(i / 4) - 1}\"" : string.Empty;
                    using (var response = await client.PostAsync("/api/tekton/components", Json($$"""
                        {"component_id":"{{id}}","component_name":"{{id}}","component_type":"{{(i / 4 % 2 == 0 ? "memory" : "llm")}}","version":"1.2.{{i}}",
                         "capabilities":["c{{i % 3}}"],"dependencies":[{{dependencies}}],"port":{{9000 + i}},"metadata":{"n":{{i}},"nested":{"list":[1,"two",null]} } }
                        """)))
                    {
                        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
                        var instance = (await response.Content.ReadFromJsonAsync<JsonObject>())!["instance_uuid"]!.GetValue<Guid>();
                        instances.Add((id, instance, "registered"));
                        changes.Add(new Change(id, instance, "registered"));
                    }

                    break;
                case 1:
                case 3:
                    // Step 1 makes the new instance ready; step 3 degrades that one, not the re-registration of step 2.
                    var (target, index) = i % 4 == 1 ? ("ready", instances.Count - 1) : ("degraded", instances.Count - 2);
                    var current = instances[index];
                    using (var response = await client.PutAsync(
                        $"/api/tekton/components/{current.Id}/instances/{current.Instance}/state", Json($$"""{"state":"{{target}}","reason":"step {{i}}"}""")))
                    {
                        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                    }

                    changes.Add(new Change(current.Id, current.Instance, target));
                    break;
            }
        }

        // Every fifth component leaves again, in one change that names its current (newest) instance.
        foreach (var id in instances.Select(x => x.Id).Distinct().Where((_, n) => n % 5 == 4).ToList())
        {
            using var response = await client.DeleteAsync($"/api/tekton/components/{id}");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            changes.Add(new Change(id, instances.Last(x => x.Id == id).Instance, "unregistered"));
        }

        return changes;
    }

    private static async Task AddModelsAsync(HttpClient client)
    {
        foreach (var (id, tier) in new[] { ("local/alpha:7b", 1), ("beta", 2), ("gamma", 3) })
        {
            using var response = await client.PostAsync("/api/tekton/models", Json($$"""
                {"id":"{{id}}","provider":"vllm","capabilities":["text_generation"],"tier":{{tier}},"context_window":8192,
                 "endpoint":"http://127.0.0.1:9000/v1","priority":{{tier}},"cost_per_1k_tokens":0.5}
                """));
            response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Every read answer of the registry and the catalog, with the clock-dependent uptimes removed, and its hash.</summary>
    private static async Task<(string Text, string Hash)> ReadEverythingAsync(HttpClient client)
    {
        var builder = new StringBuilder();
        var list = (await client.GetFromJsonAsync<JsonObject>("/api/tekton/components"))!;
        builder.AppendLine(list.ToJsonString());
        builder.AppendLine((await client.GetFromJsonAsync<JsonObject>("/api/tekton/dependencies"))!.ToJsonString());
        builder.AppendLine((await client.GetFromJsonAsync<JsonObject>("/api/tekton/models"))!.ToJsonString());
        foreach (var component in list["components"]!.AsArray())
        {
            var id = component!["component_id"]!.GetValue<string>();
            foreach (var path in new[] { $"/api/tekton/components/{id}", $"/api/tekton/components/{id}/status", $"/api/tekton/components/{id}/dependencies" })
            {
                var answer = (await client.GetFromJsonAsync<JsonObject>(path))!;
                answer.Remove("uptime");
                builder.AppendLine(answer.ToJsonString());
            }
        }

        var text = builder.ToString();
        return (text, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private sealed record Change(string ComponentId, Guid Instance, string NewState)
    {
        public static Change Of(JsonObject e) =>
            new(e["component_id"]!.GetValue<string>(), e["metadata"]!["instance_uuid"]!.GetValue<Guid>(), e["new_state"]!.GetValue<string>());
    }
}
