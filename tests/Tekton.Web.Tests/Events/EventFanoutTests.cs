using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Tekton.Application.Common;
using Tekton.Application.Events;
using Tekton.Web.Events;

namespace Tekton.Web.Tests.Events;

/// <summary>
/// The fan-out loop that writes every connection's queue: a write that has to wait holds up neither the other
/// connections nor its own connection's order, nothing queued is lost or sent twice, and a stopped connection
/// gets its last write once.
/// </summary>
public sealed class EventFanoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_connection_whose_write_waits_holds_up_neither_the_others_nor_its_own_order()
    {
        using var fanout = new EventFanout(NullLogger<EventFanout>.Instance);
        var stalled = new RecordingSink(fanout) { Gate = new TaskCompletionSource() };
        var healthy = new RecordingSink(fanout);

        for (var i = 0; i < 100; i++)
        {
            stalled.Subscriber.TrySend(i).Should().BeTrue();
            healthy.Subscriber.TrySend(i).Should().BeTrue();
        }

        await healthy.WaitForAsync(100);
        healthy.Sent.Should().Equal(Enumerable.Range(0, 100));
        stalled.Sent.Should().Equal([0], "its first write is still waiting, and nothing overtakes it");

        stalled.Gate.SetResult();
        await stalled.WaitForAsync(100);
        stalled.Sent.Should().Equal(Enumerable.Range(0, 100));
    }

    [Fact]
    public async Task Deliveries_queued_from_several_threads_are_each_sent_once_in_each_threads_order()
    {
        const int Producers = 4;
        const int Each = 20_000;
        using var fanout = new EventFanout(NullLogger<EventFanout>.Instance);
        var sink = new RecordingSink(fanout, capacity: Producers * Each);

        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < Each; i++)
            {
                sink.Subscriber.TrySend((p * Each) + i).Should().BeTrue();
                if (i % 1000 == 0)
                {
                    Thread.Yield();
                }
            }
        })));

        await sink.WaitForAsync(Producers * Each);
        var sent = sink.Sent;
        sent.Should().HaveCount(Producers * Each).And.OnlyHaveUniqueItems();
        for (var p = 0; p < Producers; p++)
        {
            sent.Where(n => n / Each == p).Should().BeInAscendingOrder();
        }
    }

    [Fact]
    public async Task Stopping_lets_the_write_in_progress_finish_then_runs_the_last_write_once_and_sends_nothing_more()
    {
        using var fanout = new EventFanout(NullLogger<EventFanout>.Instance);
        var sink = new RecordingSink(fanout) { Gate = new TaskCompletionSource() };
        sink.Subscriber.TrySend(1);
        sink.Subscriber.TrySend(2);
        await sink.WaitForAsync(1);

        sink.StopNow();
        sink.StopNow();
        await Task.Delay(100);
        sink.StoppedCount.Should().Be(0, "the write in progress has not finished");

        sink.Gate.SetResult();
        await sink.Stopped.Task.WaitAsync(Timeout);
        sink.Subscriber.TrySend(3);
        await Task.Delay(100);

        sink.Sent.Should().Equal([1]);
        sink.StoppedCount.Should().Be(1);
    }

    [Fact]
    public async Task A_write_that_fails_stops_the_connection_and_the_loop_goes_on_for_the_others()
    {
        using var fanout = new EventFanout(NullLogger<EventFanout>.Instance);
        var failing = new RecordingSink(fanout) { FailOn = 2 };
        var healthy = new RecordingSink(fanout);

        for (var i = 1; i <= 3; i++)
        {
            failing.Subscriber.TrySend(i);
            healthy.Subscriber.TrySend(i);
        }

        await failing.Stopped.Task.WaitAsync(Timeout);
        await healthy.WaitForAsync(3);
        failing.Failures.Should().Be(1);
        failing.Sent.Should().Equal([1]);
        healthy.Sent.Should().Equal([1, 2, 3]);
    }

    [Fact]
    public async Task Once_the_loop_has_ended_with_the_host_what_is_queued_is_still_written()
    {
        var fanout = new EventFanout(NullLogger<EventFanout>.Instance);
        var sink = new RecordingSink(fanout);
        fanout.Dispose();

        sink.StopNow();
        sink.Subscriber.TrySend(1);

        await sink.Stopped.Task.WaitAsync(Timeout);
        sink.Sent.Should().BeEmpty("a stopping sink writes nothing more");
        var other = new RecordingSink(fanout);
        other.Subscriber.TrySend(2);
        await other.WaitForAsync(1);
        other.Sent.Should().Equal([2]);
    }

    [Fact]
    public async Task A_socket_that_never_reads_is_aborted_at_the_close_timeout_though_a_write_to_it_waits()
    {
        await using var server = await TektonServer.StartAsync(new Dictionary<string, string?>
        {
            ["Tekton:Events:QueueCapacity"] = "16",
            ["Tekton:Events:CloseTimeoutSeconds"] = "1",
            ["Tekton:Events:RetainedEvents"] = "100",
        });
        var bus = server.Services.GetRequiredService<EventBus>();
        var connections = server.Services.GetRequiredService<EventConnections>();
        await using var stalled = await EventSocket.ConnectAsync(server, "/ws/tekton/heartbeat");
        await stalled.SendAsync("""{"action":"subscribe","component_id":"all"}""");
        await stalled.ExpectAsync("subscribed");
        connections.Open.Should().Be(1);

        // Large events until the socket's buffers are full and its queue overflows; its last write then waits.
        var metrics = JsonText.From(JsonSerializer.SerializeToElement(Enumerable.Range(0, 60).ToDictionary(i => $"metric_{i:00}", _ => new string('x', 64))));
        var deadline = DateTime.UtcNow + Timeout;
        // This server's own bus, not /metrics: the test process's other servers publish into the same meter names.
        bus.SubscriberCount.Should().Be(1);
        while (bus.SubscriberCount != 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the stalled socket overflows");
            for (var i = 0; i < 500; i++)
            {
                bus.Publish(new HeartbeatEvent
                {
                    ComponentId = "flood",
                    InstanceUuid = Guid.NewGuid(),
                    Timestamp = DateTimeOffset.UtcNow,
                    Status = "ready",
                    Metrics = metrics,
                });
            }
        }

        // The 1008 close cannot be written either; past the close timeout the connection is aborted and released.
        var overflowed = DateTime.UtcNow;
        while (connections.Open != 0)
        {
            // Generous: the timer and the abort run on the thread pool, which a loaded machine running every suite delays.
            DateTime.UtcNow.Should().BeBefore(overflowed + ReleaseTimeout, "the session ends at the close timeout (1 s)");
            await Task.Delay(50);
        }

        // Reading now gets what the buffers held, then the end of the connection (a reset, or the close if it got out).
        var buffer = new byte[1024 * 1024];
        using var reading = new CancellationTokenSource(Timeout);
        var ended = false;
        try
        {
            while (!ended)
            {
                ended = (await stalled.Socket.ReceiveAsync(buffer.AsMemory(), reading.Token)).MessageType == WebSocketMessageType.Close;
            }
        }
        catch (WebSocketException)
        {
            ended = true;
        }

        ended.Should().BeTrue();
    }

    /// <summary>Records each notice (an int) it is asked to write; optionally waits on a gate at its first write, or fails one.</summary>
    private sealed class RecordingSink(EventFanout fanout, int capacity = 1024) : EventSink(fanout, EventSubscriber.WebSocket, capacity)
    {
        private readonly List<int> _sent = [];
        private int _stopped;
        private int _failures;

        public TaskCompletionSource? Gate { get; init; }

        public int? FailOn { get; init; }

        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int StoppedCount => Volatile.Read(ref _stopped);

        public int Failures => Volatile.Read(ref _failures);

        public List<int> Sent
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        public void StopNow() => Stop();

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (Sent.Count < count)
            {
                DateTime.UtcNow.Should().BeBefore(deadline, $"{count} deliveries are written");
                await Task.Delay(10);
            }
        }

        protected override ValueTask SendAsync(Delivery delivery)
        {
            var n = (int)delivery.Notice!;
            if (n == FailOn)
            {
                throw new InvalidOperationException("The connection broke.");
            }

            int written;
            lock (_sent)
            {
                _sent.Add(n);
                written = _sent.Count;
            }

            return written == 1 && Gate is not null ? new ValueTask(Gate.Task) : default;
        }

        protected override void Failed(Exception exception) => Interlocked.Increment(ref _failures);

        protected override Task StoppedAsync()
        {
            Interlocked.Increment(ref _stopped);
            Stopped.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
