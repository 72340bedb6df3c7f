using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tekton.Cluster.Tests.Support;

namespace Tekton.Cluster.Tests;

/// <summary>Two (or three) Tekton nodes on loopback sharing one PostgreSQL database and one Redis.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterServers servers)
{
    [Fact]
    public async Task A_registration_on_one_node_is_read_on_the_other()
    {
        var cluster = await servers.NewClusterAsync();
        await using var a = await servers.StartNodeAsync(cluster, "node-a");
        await using var b = await servers.StartNodeAsync(cluster, "node-b");
        using var httpA = Node.Http(a);
        using var httpB = Node.Http(b);

        await Node.RegisterAsync(httpA, Node.Registration("engram"));

        await Node.EventuallyAsync(async () => await Node.StatusAsync(httpB, "engram") is not null, TimeSpan.FromSeconds(10),
            "node B knows the component registered on node A");
        (await Node.StatusAsync(httpB, "engram")).Should().Be("registered");

        // And the other way round, with a change of state.
        using (var change = await httpB.PostAsJsonAsync("/api/tekton/components/engram/heartbeat", new JsonObject { ["status"] = "ready" }))
        {
            change.IsSuccessStatusCode.Should().BeTrue(await change.Content.ReadAsStringAsync());
        }

        await Node.EventuallyAsync(async () => await Node.StatusAsync(httpA, "engram") == "ready", TimeSpan.FromSeconds(10),
            "node A sees the state node B committed");
    }

    [Fact]
    public async Task A_heartbeat_on_one_node_reaches_a_socket_subscriber_on_the_other_within_a_second()
    {
        var cluster = await servers.NewClusterAsync();
        await using var a = await servers.StartNodeAsync(cluster, "node-a");
        await using var b = await servers.StartNodeAsync(cluster, "node-b");
        using var httpA = Node.Http(a);
        using var httpB = Node.Http(b);
        await Node.RegisterAsync(httpA, Node.Registration("hermes"));

        using var socket = await Node.SocketAsync(b, "/ws/tekton/heartbeat");
        await Node.SendAsync(socket, """{"action":"subscribe","component_id":"all"}""");
        await Node.ExpectAsync(socket, "subscribed", TimeSpan.FromSeconds(10));

        // The first heartbeat may race the registration's arrival on B; what is measured is a heartbeat on a
        // component both nodes know.
        await Node.EventuallyAsync(async () => await Node.StatusAsync(httpB, "hermes") is not null, TimeSpan.FromSeconds(10), "B knows hermes");
        var sent = Stopwatch.StartNew();
        using (var heartbeat = await httpA.PostAsJsonAsync("/api/tekton/components/hermes/heartbeat", new JsonObject { ["metrics"] = new JsonObject { ["load"] = 0.5 } }))
        {
            heartbeat.IsSuccessStatusCode.Should().BeTrue(await heartbeat.Content.ReadAsStringAsync());
        }

        var received = await Node.ExpectAsync(socket, "heartbeat", TimeSpan.FromSeconds(5));
        sent.Stop();
        received["component_id"]!.GetValue<string>().Should().Be("hermes");
        received["metrics"]!["load"]!.GetValue<double>().Should().Be(0.5);
        received["sequence"]!.GetValue<long>().Should().BePositive();
        sent.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), "a heartbeat on A reaches a subscriber on B within a second");

        // Replay on B: a new subscriber from sequence 0 gets the relayed heartbeat from B's window.
        using var late = await Node.SocketAsync(b, "/ws/tekton/heartbeat");
        await Node.SendAsync(late, $$"""{"action":"subscribe","component_id":"hermes","since_sequence":{{received["sequence"]!.GetValue<long>() - 1}}}""");
        var replayed = await Node.ExpectAsync(late, "heartbeat", TimeSpan.FromSeconds(5));
        replayed["sequence"]!.GetValue<long>().Should().Be(received["sequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task After_a_node_restarts_a_subscriber_replaying_from_before_is_told_to_resync_and_gets_no_duplicates()
    {
        var cluster = await servers.NewClusterAsync();
        await using var a = await servers.StartNodeAsync(cluster, "node-a");
        await using var b = await servers.StartNodeAsync(cluster, "node-b", "--Tekton:Node:LeaseSeconds=2");
        using var httpA = Node.Http(a);
        long seen;
        using (var socket = await Node.SocketAsync(b, "/ws/tekton/state"))
        {
            await Node.SendAsync(socket, """{"action":"subscribe","component_types":["all"]}""");
            await Node.ExpectAsync(socket, "subscribed", TimeSpan.FromSeconds(10));
            await Node.RegisterAsync(httpA, Node.Registration("before_restart"));
            var change = await Node.ExpectAsync(socket, "state_change", TimeSpan.FromSeconds(10));
            change["component_id"]!.GetValue<string>().Should().Be("before_restart");
            seen = change["sequence"]!.GetValue<long>();
        }

        await b.RestartAsync();

        // B's window cannot be rebuilt in B's numbers (the database holds the committing node's), so it says so.
        using var late = await Node.SocketAsync(b, "/ws/tekton/state");
        await Node.SendAsync(late, $$"""{"action":"subscribe","component_types":["all"],"since_sequence":{{seen - 1}}}""");
        var resync = await Node.ExpectAsync(late, "resync_required", TimeSpan.FromSeconds(10));
        resync["since_sequence"]!.GetValue<long>().Should().Be(seen - 1);

        await Node.RegisterAsync(httpA, Node.Registration("after_restart"));
        var next = await Node.ExpectAsync(late, "state_change", TimeSpan.FromSeconds(10));
        next["component_id"]!.GetValue<string>().Should().Be("after_restart", "nothing from before the restart is replayed again");
        next["sequence"]!.GetValue<long>().Should().BeGreaterThan(seen);
    }

    [Fact]
    public async Task The_hub_on_the_Redis_backplane_delivers_state_changes_committed_on_the_other_node()
    {
        var cluster = await servers.NewClusterAsync();
        await using var a = await servers.StartNodeAsync(cluster, "node-a");
        await using var b = await servers.StartNodeAsync(cluster, "node-b");
        using var httpA = Node.Http(a);
        var changes = Channel.CreateUnbounded<JsonElement>();
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(b.BaseAddress, "/hubs/tekton")).Build();
        hub.On<JsonElement>("state_change", e => changes.Writer.TryWrite(e));
        await hub.StartAsync();
        await hub.InvokeAsync<JsonElement>("SubscribeStateChanges", new[] { "all" });

        await Node.RegisterAsync(httpA, Node.Registration("rhetor"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var change = await changes.Reader.ReadAsync(timeout.Token);
        change.GetProperty("component_id").GetString().Should().Be("rhetor");
        change.GetProperty("new_state").GetString().Should().Be("registered");
        change.GetProperty("sequence").GetInt64().Should().BePositive();
    }

    [Fact]
    public async Task A_key_created_on_one_node_works_on_the_other_and_its_revocation_there_too()
    {
        var cluster = await servers.NewClusterAsync();
        await using var a = await servers.StartNodeAsync(cluster, "node-a", auth: true);
        await using var b = await servers.StartNodeAsync(cluster, "node-b", auth: true);
        using var adminA = Node.Http(a);
        adminA.DefaultRequestHeaders.Add("X-API-Key", TektonServerProcess.AdminKey);
        string id, secret;
        using (var created = await adminA.PostAsJsonAsync("/api/tekton/auth/keys", new JsonObject { ["name"] = "watcher", ["role"] = "monitor" }))
        {
            var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            created.IsSuccessStatusCode.Should().BeTrue(body.ToJsonString());
            id = body["id"]!.GetValue<string>();
            secret = body["api_key"]!.GetValue<string>();
        }

        using var monitorB = Node.Http(b);
        monitorB.DefaultRequestHeaders.Add("X-API-Key", secret);
        await Node.EventuallyAsync(async () => (await monitorB.GetAsync("/api/tekton/components")).IsSuccessStatusCode, TimeSpan.FromSeconds(10),
            "node B accepts the key node A created");

        using (var revoked = await adminA.DeleteAsync($"/api/tekton/auth/keys/{id}"))
        {
            revoked.IsSuccessStatusCode.Should().BeTrue(await revoked.Content.ReadAsStringAsync());
        }

        await Node.EventuallyAsync(async () => (await monitorB.GetAsync("/api/tekton/components")).StatusCode == System.Net.HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "node B refuses the key node A revoked");
    }

    [Fact]
    public async Task A_token_issued_on_one_node_is_accepted_on_the_other()
    {
        var cluster = await servers.NewClusterAsync();
        await using var a = await servers.StartNodeAsync(cluster, "node-a", auth: true);
        await using var b = await servers.StartNodeAsync(cluster, "node-b", auth: true);
        using var httpA = Node.Http(a);
        string token;
        using (var issued = await httpA.PostAsJsonAsync("/api/tekton/auth/token", new JsonObject { ["api_key"] = TektonServerProcess.AdminKey }))
        {
            var body = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!;
            issued.IsSuccessStatusCode.Should().BeTrue(body.ToJsonString());
            token = body["access_token"]!.GetValue<string>();
        }

        using var httpB = Node.Http(b);
        httpB.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var listed = await httpB.GetAsync("/api/tekton/components");
        listed.IsSuccessStatusCode.Should().BeTrue("node B checks tokens with the signing key node A issued them with: " + await listed.Content.ReadAsStringAsync());
        File.Exists(Path.Combine(a.Folder, "jwt-signing.key")).Should().BeFalse("with PostgreSQL the signing key is kept in the database");
    }

    [Fact]
    public async Task Each_node_keeps_its_files_in_its_own_data_folder()
    {
        var cluster = await servers.NewClusterAsync();
        // Auth on without TEKTON_BOOTSTRAP_ADMIN_KEY: the node writes the bootstrap key into its data folder.
        await using var a = await servers.StartNodeAsync(cluster, "node-a", "--Tekton:Auth:Enabled=true");
        File.Exists(Path.Combine(a.Folder, "bootstrap-admin.key")).Should().BeTrue(
            "the node's data folder is the test's own temporary folder, not the build output the nodes share:\n" + a.Output);
    }

    [Fact]
    public async Task A_start_requested_on_B_launches_the_process_on_A_when_A_is_its_node()
    {
        var cluster = await servers.NewClusterAsync();
        var logsA = Directory.CreateTempSubdirectory("tekton-cluster-logs-a-").FullName;
        var logsB = Directory.CreateTempSubdirectory("tekton-cluster-logs-b-").FullName;
        try
        {
            await using var a = await servers.StartNodeAsync(cluster, "node-a", $"--Tekton:Supervision:LogDirectory={logsA}");
            await using var b = await servers.StartNodeAsync(cluster, "node-b", $"--Tekton:Supervision:LogDirectory={logsB}");
            using var httpA = Node.Http(a);
            using var httpB = Node.Http(b);
            var registration = Node.Registration("worker");
            registration["launch"] = new JsonObject
            {
                ["command"] = "/bin/sh",
                ["args"] = new JsonArray("-c", "echo \"served by $TEKTON_URL\"; exec sleep 300"),
                ["stop_timeout"] = 2,
            };
            await Node.RegisterAsync(httpA, registration);
            await Node.EventuallyAsync(async () => await Node.StatusAsync(httpB, "worker") is not null, TimeSpan.FromSeconds(10), "B knows worker");
            var details = JsonNode.Parse(await httpB.GetStringAsync("/api/tekton/components/worker"))!;
            details.ToJsonString().Should().Contain("\"node\":\"node-a\"", "the launch spec defaults to the node that received the registration");

            using (var start = await httpB.PostAsync("/api/tekton/components/worker/start", null))
            {
                start.IsSuccessStatusCode.Should().BeTrue(await start.Content.ReadAsStringAsync());
            }

            try
            {
                await Node.EventuallyAsync(
                    () => Task.FromResult(Directory.Exists(Path.Combine(logsA, "worker"))
                        && Directory.GetFiles(Path.Combine(logsA, "worker")).Any(f => File.ReadAllText(f).Contains($"served by http://127.0.0.1:{a.Port}"))),
                    TimeSpan.FromSeconds(20), "node A launched the process (its log is in A's log folder and names A's address)");
                Directory.Exists(Path.Combine(logsB, "worker")).Should().BeFalse("node B launched nothing");
                await Node.EventuallyAsync(async () => await Node.StatusAsync(httpB, "worker") is "initializing" or "ready", TimeSpan.FromSeconds(10),
                    "B sees the instance A launched");
            }
            finally
            {
                // A stop requested on B is carried out by A, which launched the process.
                using var stop = await httpB.PostAsJsonAsync("/api/tekton/components/worker/stop", new JsonObject { ["force"] = true });
                stop.IsSuccessStatusCode.Should().BeTrue(await stop.Content.ReadAsStringAsync());
            }

            await Node.EventuallyAsync(async () => await Node.StatusAsync(httpB, "worker") == "stopped", TimeSpan.FromSeconds(20), "A stopped the process");
        }
        finally
        {
            Directory.Delete(logsA, recursive: true);
            Directory.Delete(logsB, recursive: true);
        }
    }

    [Fact]
    public async Task A_start_of_a_component_whose_node_is_not_running_fails_with_504_naming_that_node_within_seconds()
    {
        var cluster = await servers.NewClusterAsync();
        await using var a = await servers.StartNodeAsync(cluster, "node-a");
        using var httpA = Node.Http(a);
        var registration = Node.Registration("stranded");
        registration["launch"] = new JsonObject { ["command"] = "/bin/sh", ["args"] = new JsonArray("-c", "exec sleep 300"), ["node"] = "node-gone" };
        await Node.RegisterAsync(httpA, registration);

        var asked = Stopwatch.StartNew();
        using var start = await httpA.PostAsync("/api/tekton/components/stranded/start?wait=true", null);
        asked.Stop();

        var body = await start.Content.ReadAsStringAsync();
        ((int)start.StatusCode).Should().Be(504, body);
        body.Should().Contain("1006").And.Contain("node-gone");
        asked.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25), "the owning node must accept the request within seconds, even with wait=true");
    }

    [Fact]
    public async Task A_second_live_process_with_a_nodes_name_refuses_to_start_and_the_first_keeps_serving()
    {
        var cluster = await servers.NewClusterAsync();
        string[] fast = ["--Tekton:Node:LeaseSeconds=2"];
        await using var a = await servers.StartNodeAsync(cluster, "node-a", fast);

        var twin = async () =>
        {
            await using var started = await servers.StartNodeAsync(cluster, "node-a", fast);
        };

        (await twin.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should()
            .Contain("running as node 'node-a'").And.Contain("Tekton:Node:Name");
        using var httpA = Node.Http(a);
        using var ready = await httpA.GetAsync("/health/ready");
        ready.IsSuccessStatusCode.Should().BeTrue("the node that holds the name is not disturbed");
    }

    [Fact]
    public async Task When_node_A_is_killed_B_takes_over_expiry_within_the_lease_and_nothing_acknowledged_is_lost()
    {
        const double LeaseSeconds = 3;
        const double HeartbeatTimeout = 2;
        var cluster = await servers.NewClusterAsync();
        string[] fast = [$"--Tekton:Node:LeaseSeconds={LeaseSeconds}", "--Tekton:Supervision:HeartbeatSweepSeconds=0.2"];
        var a = await servers.StartNodeAsync(cluster, "node-a", fast);
        await using var killedLater = a;
        // A holds the lease before B starts.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var b = await servers.StartNodeAsync(cluster, "node-b", fast);
        using var httpA = Node.Http(a);
        using var httpB = Node.Http(b);

        var ids = Enumerable.Range(0, 40).Select(i => $"acked_{i}").ToList();
        await Task.WhenAll(ids.Select(id => Node.RegisterAsync(httpA, Node.Registration(id))));
        await Node.RegisterAsync(httpA, Node.Registration("watched", HeartbeatTimeout));
        using (var heartbeat = await httpA.PostAsJsonAsync("/api/tekton/components/watched/heartbeat", new JsonObject { ["status"] = "ready" }))
        {
            heartbeat.IsSuccessStatusCode.Should().BeTrue(await heartbeat.Content.ReadAsStringAsync());
        }

        await Node.EventuallyAsync(async () => await Node.StatusAsync(httpB, "watched") == "ready", TimeSpan.FromSeconds(10), "B sees watched ready");
        (await LeaseHolderAsync(cluster.ConnectionString)).Should().Be("node-a", "the first node took the lease and renews it");
        await a.KillAsync();
        var killed = Stopwatch.StartNew();

        // The lease row names B once A's lease expired: at most one lease, plus one renewal period of B's (a
        // third of a lease), plus slack for a loaded machine.
        var takeover = TimeSpan.FromSeconds(LeaseSeconds * 4 / 3 + 3);
        await Node.EventuallyAsync(async () => await LeaseHolderAsync(cluster.ConnectionString) == "node-b",
            takeover, "B takes the expiry lease over");
        killed.Elapsed.Should().BeLessThan(takeover);

        // Expiry runs on B now: no heartbeat for one timeout makes the instance degraded. The bound is the
        // heartbeat timeout, plus one lease for B to take over, plus a sweep and the machine's slack.
        await Node.EventuallyAsync(async () => await Node.StatusAsync(httpB, "watched") is "degraded" or "failed",
            TimeSpan.FromSeconds(HeartbeatTimeout + LeaseSeconds + 6), "B marks the silent instance after A's lease expired");
        killed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(HeartbeatTimeout + LeaseSeconds + 6));

        // Every registration A acknowledged is in the database: a new node reads them all from it.
        await using var c = await servers.StartNodeAsync(cluster, "node-c");
        using var httpC = Node.Http(c);
        foreach (var id in ids)
        {
            (await Node.StatusAsync(httpC, id)).Should().NotBeNull($"{id} was acknowledged by A before it was killed");
            (await Node.StatusAsync(httpB, id)).Should().NotBeNull($"B learned of {id}");
        }
    }

    private static async Task<string?> LeaseHolderAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT holder FROM cluster_leases WHERE name = 'heartbeat_expiry'", connection);
        return await command.ExecuteScalarAsync() as string;
    }
}
