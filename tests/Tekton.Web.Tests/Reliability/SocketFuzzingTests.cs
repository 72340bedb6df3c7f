using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Issue 12, item 3, for the event sockets: garbage and mutated messages are answered with an <c>error</c> event
/// (or, for the frames docs/api.md names, a close with its code), and the server goes on serving.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SocketFuzzingTests(ITestOutputHelper output)
{
    private static readonly int[] SocketErrorCodes = [1000, 1001, 1008, 1012];
    private static readonly HashSet<string> Answers = ["error", "subscribed", "unsubscribed", "heartbeat_received"];

    private enum Expect
    {
        /// <summary>Invalid: an <c>error</c> event with code 1000.</summary>
        Error,

        /// <summary>Valid or not: any answer the channel documents.</summary>
        Answer,

        /// <summary>A close with this status.</summary>
        Close,
    }

    [Theory]
    [InlineData("/ws/tekton/heartbeat")]
    [InlineData("/ws/tekton/state")]
    public async Task Garbage_on_an_event_socket_is_answered_with_an_error_or_a_documented_close(string path)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TEKTON_FUZZ_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        var random = new Random(seed);
        await using var server = await TektonServer.StartAsync(OpenApiFuzzingTests.Quiet);
        var instance = await server.RegisterAsync("fz-socket");
        var sent = 0;

        // A documented close ends a connection; the next message goes on a new one.
        while (sent < 400)
        {
            await using var socket = await EventSocket.ConnectAsync(server, path);
            for (var i = 0; i < 150 && sent < 400; i++)
            {
                var (bytes, type, expect, close) = Message(random, path, instance);
                sent++;
                var because = $"seed {seed} (TEKTON_FUZZ_SEED replays it), {path}, message {sent}: {type} {Describe(bytes)}";
                JsonObject? answer;
                try
                {
                    await socket.Socket.SendAsync(bytes, type, true, CancellationToken.None);
                    answer = await NextAnswerAsync(socket);
                }
                catch (WebSocketException) when (close == WebSocketCloseStatus.InvalidPayloadData)
                {
                    // Invalid UTF-8 fails the connection (RFC 6455 §8.1): the 1007 close may be lost to the reset that follows it.
                    break;
                }
                catch (WebSocketException exception)
                {
                    throw new InvalidOperationException($"The connection failed ({exception.Message}): {because}", exception);
                }

                if (expect == Expect.Close)
                {
                    answer.Should().BeNull(because);
                    socket.Socket.CloseStatus.Should().Be(close, because);
                    break;
                }

                answer.Should().NotBeNull($"the server closed with {socket.Socket.CloseStatus} {socket.Socket.CloseStatusDescription}: {because}");
                var name = answer!["event"]?.GetValue<string>();
                if (expect == Expect.Error)
                {
                    name.Should().Be("error", because);
                    answer["code"]!.GetValue<int>().Should().Be(1000, because);
                }
                else
                {
                    name.Should().BeOneOf(Answers, because);
                }

                if (name == "error")
                {
                    answer["code"]!.GetValue<int>().Should().BeOneOf(SocketErrorCodes, because);
                    answer["message"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace(because);
                }
            }
        }

        output.WriteLine($"seed {seed}: {sent} messages on {path}");
        (await server.Client.GetAsync("/api/tekton/version")).StatusCode.Should().Be(HttpStatusCode.OK, "the server goes on serving");
        await using var after = await EventSocket.ConnectAsync(server, path);
        await after.SendAsync(path.EndsWith("state", StringComparison.Ordinal)
            ? """{"action":"subscribe","component_types":["all"]}"""
            : """{"action":"subscribe","component_id":"all"}""");
        await after.ExpectAsync("subscribed");
    }

    /// <summary>The next message that answers the client, skipping the events its subscriptions deliver; null once the server closed.</summary>
    private static async Task<JsonObject?> NextAnswerAsync(EventSocket socket)
    {
        while (true)
        {
            var message = await socket.ReceiveAsync();
            if (message is null)
            {
                try
                {
                    if (socket.Socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed", CancellationToken.None);
                    }
                }
                catch (WebSocketException)
                {
                    // After 1007 the server fails the connection (RFC 6455 §7.1.7) and need not wait for the reply.
                }

                return null;
            }

            if (message["event"]?.GetValue<string>() is not ("heartbeat" or "state_change" or "resync_required"))
            {
                return message;
            }
        }
    }

    private static (byte[] Bytes, WebSocketMessageType Type, Expect Expect, WebSocketCloseStatus? Close) Message(Random random, string path, Guid instance)
    {
        var state = path.EndsWith("state", StringComparison.Ordinal);
        string[] invalid =
        [
            "hello", "{", "[1,2", "", "null", "[]", "42", "\"subscribe\"", """{"action":5}""", """{"action":"dance"}""", """{"action":"\u202E"}""",
            """{"action":"subscribe","component_id":5}""", """{"action":"subscribe","since_sequence":"x"}""",
            """{"action":"subscribe","component_id":"all","since_sequence":1e400}""", """{"action":"subscribe","component_id":"all","since_sequence":1.5}""",
            """{"action":"subscribe","component_id":"all","since_sequence":-1}""", """{"action":"subscribe","component_types":"all"}""",
            """{"action":"subscribe","component_id":"all","bogus":true}""", """{"ACTION":"subscribe"}""", """{"action":null}""",
            """{"action":"subscribe","component_types":[""" + string.Join(',', Enumerable.Repeat("\"t\"", 1001)) + "]}",
            "{\"action\":\"subscribe\",\"metrics\":" + new string('[', 200) + new string(']', 200) + "}",
            state ? """{"action":"heartbeat","component_id":"fz-socket"}""" : """{"action":"heartbeat"}""",
            state ? """{"action":"subscribe"}""" : """{"action":"subscribe","component_id":""}""",
        ];
        string[] valid = state
            ?
            [
                """{"action":"subscribe","component_types":["all"]}""", """{"action":"subscribe","component_types":["service"],"component_ids":["fz-socket"]}""",
                """{"action":"subscribe","component_types":["all"],"since_sequence":0}""", """{"action":"unsubscribe"}""",
                """{"action":"unsubscribe","component_types":["service"]}""", """{"action":"subscribe","component_types":["组件","😀"]}""",
            ]
            :
            [
                """{"action":"subscribe","component_id":"all"}""", """{"action":"subscribe","component_id":"fz-socket","since_sequence":0}""",
                """{"action":"unsubscribe","component_id":"all"}""", """{"action":"subscribe","component_id":"../../etc/passwd"}""",
                $$$"""{"action":"heartbeat","component_id":"fz-socket","instance_uuid":"{{{instance}}}","status":"ready","metrics":{"cpu_percent":1}}""",
                """{"action":"heartbeat","component_id":"ghost","status":"ready"}""", """{"action":"heartbeat","component_id":"fz-socket","status":"bogus"}""",
                """{"action":"heartbeat","component_id":"fz-socket","status":"registered"}""", """{"action":"heartbeat","component_id":"fz-socket","health":{"db":5}}""",
            ];
        return random.Next(20) switch
        {
            0 => (Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256)).ToArray(), WebSocketMessageType.Binary, Expect.Error, null),
            1 when random.Next(4) == 0 => ([.. "{\"action\":\""u8, 0xC3, 0x28, .. "\"}"u8], WebSocketMessageType.Text, Expect.Close, WebSocketCloseStatus.InvalidPayloadData),
            2 when random.Next(4) == 0 => (Encoding.UTF8.GetBytes("{\"action\":\"" + new string('x', 70_000) + "\"}"), WebSocketMessageType.Text, Expect.Close,
                WebSocketCloseStatus.MessageTooBig),
            < 12 => (Encoding.UTF8.GetBytes(invalid[random.Next(invalid.Length)]), WebSocketMessageType.Text, Expect.Error, null),
            _ => (Encoding.UTF8.GetBytes(valid[random.Next(valid.Length)]), WebSocketMessageType.Text, Expect.Answer, null),
        };
    }

    private static string Describe(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length > 300 ? $"{text[..300]}… ({bytes.Length} bytes)" : text;
    }
}
