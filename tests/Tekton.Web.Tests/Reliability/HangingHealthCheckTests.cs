using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, faults: health-check targets that hang (one accepts and never answers, one sends its headers and never
/// finishes the body) go degraded on the timeout, while a healthy component keeps being checked on schedule; one that
/// never stops sending its body is read only up to the probe's limit.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class HangingHealthCheckTests
{
    [Fact]
    public async Task A_hanging_health_check_does_not_delay_the_others()
    {
        await using var silent = new HealthTarget(HealthTarget.Behaviour.NeverAnswers);
        await using var trickle = new HealthTarget(HealthTarget.Behaviour.NeverFinishesTheBody);
        await using var healthy = new HealthTarget(HealthTarget.Behaviour.Healthy);
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tekton:Supervision:HealthCheckIntervalSeconds"] = "0.2",
            ["Tekton:Supervision:HealthCheckTimeoutSeconds"] = "1",
        });
        foreach (var (id, target) in new[] { ("silent", silent), ("trickle", trickle), ("healthy", healthy) })
        {
            var instance = await server.RegisterAsync(id, extra: $""" "health_check":"/health","port":{target.Port},"host":"127.0.0.1" """);
            using var ready = await server.PutJsonAsync($"/api/tekton/components/{id}/instances/{instance}/state", """{"state":"ready"}""");
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var before = healthy.Requests;
        (await Processes.EventuallyAsync(() => healthy.Requests - before >= 10, TimeSpan.FromSeconds(4)))
            .Should().BeTrue($"checks every 0.2 s must not wait for the 1 s timeouts of the others (got {healthy.Requests - before} in {watch.Elapsed.TotalSeconds:0.0} s)");

        foreach (var id in new[] { "silent", "trickle" })
        {
            (await Processes.EventuallyAsync(async () => await StatusAsync(server, id) == "degraded", TimeSpan.FromSeconds(10)))
                .Should().BeTrue($"{id} fails three checks on the timeout");
        }

        (await StatusAsync(server, "healthy")).Should().Be("ready");
        silent.Requests.Should().BeGreaterThanOrEqualTo(3);
        silent.Open.Should().BeLessThanOrEqualTo(2, "one check at a time per target: a round skips a target whose check is still under way");
    }

    [Fact]
    public async Task A_health_answer_that_never_ends_is_read_up_to_its_limit_and_judged_by_its_status()
    {
        await using var endless = new HealthTarget(HealthTarget.Behaviour.EndlessChunkedBody);
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tekton:Supervision:HealthCheckIntervalSeconds"] = "0.2",
            ["Tekton:Supervision:HealthCheckTimeoutSeconds"] = "3",
        });
        var instance = await server.RegisterAsync("endless", extra: $""" "health_check":"/health","port":{endless.Port},"host":"127.0.0.1" """);
        using (var ready = await server.PutJsonAsync($"/api/tekton/components/endless/instances/{instance}/state", """{"state":"ready"}"""))
        {
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await Processes.EventuallyAsync(() => endless.Requests >= 6, TimeSpan.FromSeconds(5)))
            .Should().BeTrue($"each check stops reading at the body's limit instead of waiting for the 3 s timeout (got {endless.Requests})");
        (await StatusAsync(server, "endless")).Should().Be("ready", "an answer too long to read for fields is judged by its status, 200");
    }

    private static async Task<string> StatusAsync(TektonServer server, string id) =>
        (await server.GetObjectAsync($"/api/tekton/components/{id}"))["status"]!.GetValue<string>();

    /// <summary>An HTTP target on 127.0.0.1 that answers, hangs, or sends headers and then nothing.</summary>
    private sealed class HealthTarget : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Behaviour _behaviour;
        private readonly List<Task> _connections = [];
        private readonly Task _accepting;
        private int _requests;
        private int _open;

        public HealthTarget(Behaviour behaviour)
        {
            _behaviour = behaviour;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = AcceptAsync();
        }

        public enum Behaviour
        {
            Healthy,
            NeverAnswers,
            NeverFinishesTheBody,
            EndlessChunkedBody,
        }

        public int Port { get; }

        public int Requests => Volatile.Read(ref _requests);

        /// <summary>Connections open now.</summary>
        public int Open => Volatile.Read(ref _open);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
            Task[] connections;
            lock (_connections)
            {
                connections = [.. _connections];
            }

            await Task.WhenAll(connections).ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            Interlocked.Increment(ref _open);
            try
            {
                using (client)
                {
                    var stream = client.GetStream();
                    await ReadRequestAsync(stream);
                    Interlocked.Increment(ref _requests);
                    switch (_behaviour)
                    {
                        case Behaviour.Healthy:
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"status\":\"ok\"}"), _stop.Token);
                            break;
                        case Behaviour.NeverFinishesTheBody:
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"status\":"), _stop.Token);
                            await WaitForCloseAsync(stream);
                            break;
                        case Behaviour.EndlessChunkedBody:
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"padding\":\"xxxx\r\n"), _stop.Token);
                            var chunk = Encoding.ASCII.GetBytes($"1000\r\n{new string('x', 4096)}\r\n");
                            while (true)
                            {
                                // Until the prober closes the connection (the write then fails) or the test ends.
                                await stream.WriteAsync(chunk, _stop.Token);
                            }

                        default:
                            await WaitForCloseAsync(stream);
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
            {
                // The prober gave up (its timeout), or the test is over.
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }

        private async Task ReadRequestAsync(NetworkStream stream)
        {
            var buffer = new byte[4096];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    throw new IOException("closed before the request ended");
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }

        /// <summary>Holds the connection without answering until the prober closes it.</summary>
        private async Task WaitForCloseAsync(NetworkStream stream)
        {
            var buffer = new byte[256];
            while (await stream.ReadAsync(buffer, _stop.Token) > 0)
            {
            }
        }
    }
}
