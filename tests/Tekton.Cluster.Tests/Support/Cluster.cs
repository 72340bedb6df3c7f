using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Tekton.Cluster.Tests.Support;

/// <summary>One PostgreSQL and one Redis for the whole test run, each test with a database of its own.</summary>
public sealed class ClusterServers : IAsyncLifetime
{
    private int _databases;

    public PostgresServer Postgres { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        Redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }

    /// <summary>A new empty database, and a Redis channel prefix of the same name, so tests never see each other.</summary>
    public async Task<(string ConnectionString, string Prefix)> NewClusterAsync()
    {
        var name = $"tekton_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40];
        return (await Postgres.CreateDatabaseAsync(name), name);
    }

    /// <summary>A Tekton node of a cluster: Tekton.Web as a process on PostgreSQL and Redis.</summary>
    public Task<TektonServerProcess> StartNodeAsync((string ConnectionString, string Prefix) cluster, string name, params string[] extra) =>
        StartNodeAsync(cluster, name, auth: false, extra);

    /// <summary>A node; with <paramref name="auth"/>, authentication on and <see cref="TektonServerProcess.AdminKey"/> the bootstrap key.</summary>
    public async Task<TektonServerProcess> StartNodeAsync((string ConnectionString, string Prefix) cluster, string name, bool auth, params string[] extra) =>
        await TektonServerProcess.StartAsync(auth, [
            "--Tekton:Database:Provider=Postgres",
            $"--Tekton:Database:ConnectionString={cluster.ConnectionString}",
            $"--Tekton:Redis:ConnectionString={Redis.ConnectionString}",
            $"--Tekton:Redis:ChannelPrefix={cluster.Prefix}",
            $"--Tekton:Node:Name={name}",
            .. extra]);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterServers>
{
    public const string Name = "cluster";
}

/// <summary>Plain HTTP and WebSocket calls to a node.</summary>
public static class Node
{
    public static HttpClient Http(TektonServerProcess node) => new() { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public static JsonObject Registration(string id, double? heartbeatTimeout = null)
    {
        var body = new JsonObject
        {
            ["component_id"] = id,
            ["component_name"] = id,
            ["component_type"] = "service",
            ["version"] = "1.0.0",
        };
        if (heartbeatTimeout is { } timeout)
        {
            body["heartbeat_interval"] = timeout / 4;
            body["heartbeat_timeout"] = timeout;
        }

        return body;
    }

    public static async Task RegisterAsync(HttpClient http, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync("/api/tekton/components", body);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The component's <c>status</c> as this node answers, or null when it does not know the component.</summary>
    public static async Task<string?> StatusAsync(HttpClient http, string id)
    {
        using var response = await http.GetAsync($"/api/tekton/components/{id}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["status"]?.GetValue<string>() ?? body["component"]?["status"]?.GetValue<string>();
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {because}");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<ClientWebSocket> SocketAsync(TektonServerProcess node, string path)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{node.Port}{path}"), timeout.Token);
        return socket;
    }

    public static async Task SendAsync(ClientWebSocket socket, string json)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>Reads until a message whose <c>event</c> is <paramref name="name"/>; fails on close or timeout.</summary>
    public static async Task<JsonObject> ExpectAsync(ClientWebSocket socket, string name, TimeSpan timeout)
    {
        var buffer = new byte[1024 * 1024];
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(count), cancel.Token);
                count += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"The node closed the socket while waiting for '{name}'.");
            }

            var message = JsonNode.Parse(buffer.AsSpan(0, count))!.AsObject();
            if (message["event"]?.GetValue<string>() == name)
            {
                return message;
            }
        }
    }
}
