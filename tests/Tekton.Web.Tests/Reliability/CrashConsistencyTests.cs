using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Tekton as a process under a storm of registrations, state changes, re-registrations and deregistrations,
/// killed with SIGKILL at random moments: after every restart each acknowledged write is there, nothing is
/// half-written, the database passes its integrity check, and retries with the same Idempotency-Key created
/// nothing twice.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class CrashConsistencyTests(ITestOutputHelper output)
{
    private const int Workers = 8;

    /// <summary>At least 20 by the issue; <c>TEKTON_CRASH_ROUNDS</c> raises it for a longer run by hand.</summary>
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("TEKTON_CRASH_ROUNDS"), out var rounds) ? Math.Max(rounds, 20) : 20;

    [Fact]
    public async Task Kills_in_a_write_storm_lose_nothing_acknowledged_and_leave_a_sound_database()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}, {Rounds} rounds");
        var random = new Random(seed);
        var directory = Directory.CreateTempSubdirectory("tekton-crash-").FullName;
        var database = Path.Combine(directory, "tekton.db");
        var ledger = new Ledger();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                await using var tekton = await TektonProcess.StartAsync(database);
                using var client = new HttpClient { BaseAddress = tekton.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };

                // What the last kill left in flight is settled against what the restarted server holds, then retried.
                await ledger.SettleAsync(client, $"seed {seed}, after kill {round}");
                await ledger.VerifyAsync(client, random, everything: false, $"seed {seed}, after kill {round}");

                using var stop = new CancellationTokenSource();
                var acknowledgedBefore = ledger.Acknowledged;
                var workers = Enumerable.Range(0, Workers)
                    .Select(w => Task.Run(() => ledger.StormAsync(client, new Random(seed + (round * Workers) + w), $"r{round}w{w}", stop.Token)))
                    .ToArray();
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(150, 1500)));
                await tekton.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(workers);
                output.WriteLine($"round {round}: killed after {ledger.Acknowledged - acknowledgedBefore} acknowledged writes, with {ledger.InFlight} in flight");

                SqliteConnection.ClearAllPools();
                SqliteFile.IntegrityCheck(database).Should().Be("ok", $"seed {seed}, kill {round}");
                SqliteFile.Query(database, "PRAGMA foreign_key_check").Should().BeEmpty($"seed {seed}, kill {round}");
            }

            await using (var last = await TektonProcess.StartAsync(database))
            {
                using var client = new HttpClient { BaseAddress = last.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
                await ledger.SettleAsync(client, $"seed {seed}, after the last kill");
                await ledger.VerifyAsync(client, random, everything: true, $"seed {seed}, at the end");
            }

            output.WriteLine($"{ledger.Acknowledged} acknowledged writes, {ledger.Retried} retried registrations, {ledger.Components} components");
            ledger.Acknowledged.Should().BeGreaterThan(Rounds * 20, "every round must have written something before its kill");
            ledger.Retried.Should().BeGreaterThan(0, "some registrations must have been in flight at a kill");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>What the test sent and what Tekton acknowledged, per component; each worker owns its components.</summary>
    private sealed class Ledger
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, Tracked> _components = new(StringComparer.Ordinal);
        private int _acknowledged;
        private int _retried;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public int Retried => _retried;

        public int Components
        {
            get
            {
                lock (_lock)
                {
                    return _components.Values.Count(c => c.Exists);
                }
            }
        }

        public int InFlight
        {
            get
            {
                lock (_lock)
                {
                    return _components.Values.Count(c => c.Pending is not null);
                }
            }
        }

        /// <summary>One worker's loop: register, change states, re-register, deregister, until the server dies.</summary>
        public async Task StormAsync(HttpClient client, Random random, string prefix, CancellationToken stop)
        {
            var mine = new List<Tracked>();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var live = mine.Where(c => c.Exists).ToList();
                var roll = random.Next(100);
                try
                {
                    if (live.Count == 0 || roll < 40)
                    {
                        var dependency = live.Count > 0 && random.Next(2) == 0 ? live[random.Next(live.Count)].Id : null;
                        var tracked = new Tracked($"{prefix}-{n}", dependency);
                        lock (_lock)
                        {
                            _components.Add(tracked.Id, tracked);
                        }

                        mine.Add(tracked);
                        await RegisterAsync(client, tracked);
                    }
                    else if (roll < 75)
                    {
                        var component = live[random.Next(live.Count)];
                        var instance = component.Instances.Keys.ElementAt(random.Next(component.Instances.Count));
                        await ChangeStateAsync(client, component, instance);
                    }
                    else if (roll < 90)
                    {
                        await ReRegisterAsync(client, live[random.Next(live.Count)]);
                    }
                    else
                    {
                        await DeregisterAsync(client, live[random.Next(live.Count)]);
                    }
                }
                // HttpClient lets some failures of a killed server out unwrapped: a SocketException from the socket's remote
                // end point right after connecting, an IOException while a body is read.
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException or IOException)
                {
                    return; // The server is gone; whatever was pending stays pending until it is settled.
                }
            }
        }

        /// <summary>
        /// After a restart: a pending change either happened or did not, and nothing else; a pending registration
        /// is retried with its Idempotency-Key and must end with exactly one instance.
        /// </summary>
        public async Task SettleAsync(HttpClient client, string context)
        {
            List<Tracked> pending;
            lock (_lock)
            {
                pending = _components.Values.Where(c => c.Pending is not null).ToList();
            }

            foreach (var component in pending)
            {
                var details = await DetailsAsync(client, component.Id);
                var instances = Instances(details);
                switch (component.Pending)
                {
                    case Pending.Register:
                        instances.Count.Should().BeLessThanOrEqualTo(1, $"{context}: {component.Id} was registered once");
                        component.Pending = null;
                        await RegisterAsync(client, component);
                        _retried++;
                        Instances(await DetailsAsync(client, component.Id)).Keys.Should()
                            .Equal([component.Instances.Keys.Single()], $"{context}: the retry of {component.Id} with its key creates no second instance");
                        break;
                    case Pending.ReRegister:
                        var added = instances.Keys.Except(component.Instances.Keys).ToList();
                        added.Should().HaveCountLessThanOrEqualTo(1, $"{context}: {component.Id} was re-registered once");
                        if (added.Count == 1)
                        {
                            component.Instances[added[0]] = "registered";
                        }

                        break;
                    case Pending.Deregister:
                        if (details is null)
                        {
                            component.Exists = false;
                        }

                        break;
                    case Pending.State:
                        var state = instances.GetValueOrDefault(component.PendingInstance);
                        state.Should().BeOneOf([component.Instances[component.PendingInstance], component.PendingState], $"{context}: {component.Id} {component.PendingInstance}");
                        component.Instances[component.PendingInstance] = state!;
                        break;
                }

                component.Pending = null;
            }
        }

        /// <summary>The registry holds exactly the components that exist, each with exactly its instances and their states.</summary>
        public async Task VerifyAsync(HttpClient client, Random random, bool everything, string context)
        {
            var list = (await client.GetFromJsonAsync<JsonObject>("/api/tekton/components"))!["components"]!.AsArray()
                .Select(c => c!["component_id"]!.GetValue<string>()).ToList();
            list.Should().OnlyHaveUniqueItems(context);
            List<Tracked> existing;
            lock (_lock)
            {
                existing = _components.Values.Where(c => c.Exists).ToList();
            }

            list.Should().BeEquivalentTo(existing.Select(c => c.Id), context);
            (await client.GetAsync("/api/tekton/dependencies")).StatusCode.Should().Be(HttpStatusCode.OK, context);

            // Every component of the last round, and a sample of the older ones.
            var checks = everything ? existing : existing.Where(c => c.Touched || random.Next(20) == 0).ToList();
            foreach (var component in checks)
            {
                var details = await DetailsAsync(client, component.Id);
                details.Should().NotBeNull($"{context}: {component.Id} was acknowledged");
                Instances(details).Should().BeEquivalentTo(component.Instances, $"{context}: {component.Id}");
                details!["dependencies"]!.AsArray().Select(d => d!.GetValue<string>())
                    .Should().Equal(component.Dependency is null ? [] : [component.Dependency], context);
                component.Touched = false;
            }
        }

        private async Task RegisterAsync(HttpClient client, Tracked component)
        {
            component.Pending = Pending.Register;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tekton/components") { Content = Registration(component) };
            request.Headers.Add("Idempotency-Key", component.Id + "-key");
            using var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            var instance = (await response.Content.ReadFromJsonAsync<JsonObject>())!["instance_uuid"]!.GetValue<Guid>();
            component.Instances[instance] = "registered";
            component.Exists = true;
            Acknowledge(component);
        }

        private async Task ReRegisterAsync(HttpClient client, Tracked component)
        {
            component.Pending = Pending.ReRegister;
            using var response = await client.PostAsync("/api/tekton/components", Registration(component));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            component.Instances[(await response.Content.ReadFromJsonAsync<JsonObject>())!["instance_uuid"]!.GetValue<Guid>()] = "registered";
            Acknowledge(component);
        }

        private async Task ChangeStateAsync(HttpClient client, Tracked component, Guid instance)
        {
            var target = component.Instances[instance] == "ready" ? "degraded" : "ready";
            component.PendingInstance = instance;
            component.PendingState = target;
            component.Pending = Pending.State;
            using var response = await client.PutAsync(
                $"/api/tekton/components/{component.Id}/instances/{instance}/state", Json($$"""{"state":"{{target}}","reason":"storm"}"""));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            component.Instances[instance] = target;
            Acknowledge(component);
        }

        private async Task DeregisterAsync(HttpClient client, Tracked component)
        {
            component.Pending = Pending.Deregister;
            using var response = await client.DeleteAsync($"/api/tekton/components/{component.Id}");
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            component.Exists = false;
            Acknowledge(component);
        }

        private void Acknowledge(Tracked component)
        {
            component.Pending = null;
            component.Touched = true;
            Interlocked.Increment(ref _acknowledged);
        }

        private static StringContent Registration(Tracked component) => Json($$"""
            {"component_id":"{{component.Id}}","component_name":"Storm {{component.Id}}","component_type":"service","version":"1.0.0",
             "capabilities":["storm"],"dependencies":[{{(component.Dependency is null ? string.Empty : $"\"{component.Dependency}\"")}}],
             "metadata":{"written_by":"crash test"} }
            """);

        private static async Task<JsonObject?> DetailsAsync(HttpClient client, string id)
        {
            using var response = await client.GetAsync($"/api/tekton/components/{id}");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return await response.Content.ReadFromJsonAsync<JsonObject>();
        }

        private static Dictionary<Guid, string> Instances(JsonObject? details) =>
            details?["instances"]!.AsArray().ToDictionary(i => i!["instance_uuid"]!.GetValue<Guid>(), i => i!["status"]!.GetValue<string>()) ?? [];
    }

    private enum Pending
    {
        Register,
        ReRegister,
        State,
        Deregister,
    }

    private sealed class Tracked(string id, string? dependency)
    {
        public string Id { get; } = id;

        public string? Dependency { get; } = dependency;

        public Dictionary<Guid, string> Instances { get; } = [];

        public bool Exists { get; set; }

        public bool Touched { get; set; }

        public Pending? Pending { get; set; }

        public Guid PendingInstance { get; set; }

        public string PendingState { get; set; } = string.Empty;
    }
}
