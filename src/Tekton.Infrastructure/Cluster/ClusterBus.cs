using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tekton.Application.Common;
using Tekton.Application.Events;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Errors;
using Tekton.Infrastructure.Persistence;

namespace Tekton.Infrastructure.Cluster;

/// <summary>
/// What nodes tell each other through Redis pub/sub (one channel, <c>{prefix}:cluster</c>): each node publishes,
/// in the order they happened here, the registry groups it committed (component and state-change ids: the rows
/// themselves are read from the shared database) and the heartbeats it received. Every other node reloads those
/// components and relays those state changes on its registry writer's loop, and records and relays the
/// heartbeats, numbering every event in its own stream (so <c>sequence</c> is per node). A start of a component
/// that another node runs is a request on the same channel, named to that node, which answers with a reply.
/// </summary>
public sealed partial class ClusterBus(
    IOptions<RedisOptions> redis,
    IOptions<NodeOptions> node,
    GroupCommitWriter writer,
    EventBus events,
    HeartbeatTable heartbeats,
    Application.Security.ApiKeys keys,
    IServiceProvider services,
    ILogger<ClusterBus> logger,
    NodePresence? presence = null) : IHostedService, IRemoteLifecycle
{
    /// <summary>How long a start without wait may take to be answered by the node that runs the component.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long the node that runs the component may take to acknowledge a request, however long the request itself may take.</summary>
    private static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, PendingRequest> _requests = new();
    private readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _node = node.Value.Name;

    // Own messages are told apart by process, not by name: a name held by two processes must not hide either from the other.
    private readonly Guid _process = presence?.Process ?? Guid.NewGuid();
    private ConnectionMultiplexer? _connection;
    private RedisChannel _channel;
    private Task _sending = Task.CompletedTask;

    /// <summary>The connection, shared with the SignalR backplane's configuration string.</summary>
    public ConnectionMultiplexer? Connection => _connection;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _channel = RedisChannel.Literal($"{redis.Value.ChannelPrefix}:cluster");
        _connection = await ConnectionMultiplexer.ConnectAsync(redis.Value.ConnectionString!);
        var queue = await _connection.GetSubscriber().SubscribeAsync(_channel);
        queue.OnMessage(Receive);
        writer.Committed = (components, changes) =>
            Enqueue(new ClusterMessage { Node = _node, Kind = "commit", Components = [.. components], StateChanges = [.. changes] });
        events.Relay = heartbeat => Enqueue(new ClusterMessage
        {
            Node = _node,
            Kind = "heartbeat",
            ComponentId = heartbeat.ComponentId,
            InstanceUuid = heartbeat.InstanceUuid,
            Ticks = heartbeat.Timestamp.UtcTicks,
            Status = heartbeat.Status,
            Metrics = heartbeat.Metrics,
        });
        keys.Changed = () => Enqueue(new ClusterMessage { Node = _node, Kind = "keys" });
        _sending = Task.Run(SendAsync, CancellationToken.None);
        LogJoined(_node, _channel.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        writer.Committed = null;
        events.Relay = null;
        keys.Changed = null;
        _outbox.Writer.TryComplete();
        await _sending.WaitAsync(cancellationToken);
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }
    }

    public async ValueTask<StartComponentResult> StartAsync(string node, StartComponent command, CancellationToken cancellationToken)
    {
        var reply = await AskAsync(node, command.ComponentId, command.Wait ? TimeSpan.FromHours(1) : AnswerTimeout, new ClusterMessage
        {
            Node = _node,
            Kind = "start",
            Target = node,
            ComponentId = command.ComponentId,
            Wait = command.Wait,
            DependencyTimeout = command.DependencyTimeout,
        }, cancellationToken);
        return new StartComponentResult(true, reply.Message ?? "Component starting", reply.InstanceUuid ?? Guid.Empty);
    }

    public async ValueTask<OperationResult> StopAsync(string node, StopComponent command, CancellationToken cancellationToken)
    {
        var reply = await AskAsync(node, command.ComponentId, TimeSpan.FromSeconds((command.Body.Timeout ?? 30) * 3 + 30), new ClusterMessage
        {
            Node = _node,
            Kind = "stop",
            Target = node,
            ComponentId = command.ComponentId,
            InstanceUuid = command.Body.InstanceUuid,
            Force = command.Body.Force,
            Timeout = command.Body.Timeout,
            Cascade = command.Body.Cascade,
        }, cancellationToken);
        return new OperationResult(true, reply.Message ?? "Component stopped");
    }

    /// <summary>
    /// Sends a request to one node and waits for its reply; the reply's error is thrown as it was thrown there. The
    /// node must acknowledge the request within <see cref="AcceptTimeout"/>, so a node that is gone fails fast.
    /// </summary>
    private async Task<ClusterMessage> AskAsync(string node, string componentId, TimeSpan limit, ClusterMessage request, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var pending = new PendingRequest();
        _requests[id] = pending;
        try
        {
            Enqueue(request with { Request = id });
            try
            {
                await pending.Accepted.Task.WaitAsync(AcceptTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TektonException(ErrorCode.Timeout,
                    $"Component '{componentId}' runs on node '{node}', which did not accept the {request.Kind} within {AcceptTimeout.TotalSeconds} s; is it running?");
            }

            ClusterMessage reply;
            try
            {
                reply = await pending.Answer.Task.WaitAsync(limit, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TektonException(ErrorCode.Timeout,
                    $"Component '{componentId}' runs on node '{node}', which did not answer within {limit.TotalSeconds} s; is it running?");
            }

            return reply.Code is { } code
                ? throw new TektonException((ErrorCode)code, reply.Message ?? $"The request failed on node {node}.")
                : reply;
        }
        finally
        {
            _requests.TryRemove(id, out _);
        }
    }

    /// <summary>Runs a start or a stop another node forwarded, and answers it.</summary>
    private async Task CarryOutAsync(ClusterMessage request)
    {
        ClusterMessage Reply() => new() { Node = _node, Kind = "reply", Target = request.Node, Request = request.Request };
        Enqueue(Reply() with { Kind = "accepted" });
        try
        {
            var sender = services.GetRequiredService<ISender>();
            if (request.Kind == "stop")
            {
                var body = new StopBody { InstanceUuid = request.InstanceUuid, Force = request.Force, Timeout = request.Timeout, Cascade = request.Cascade };
                var stopped = await sender.Send(new StopComponent(request.ComponentId!, body, Forwarded: true));
                Enqueue(Reply() with { Message = stopped.Message });
                return;
            }

            var result = await sender.Send(new StartComponent(request.ComponentId!, request.Wait ?? false, request.DependencyTimeout, Forwarded: true));
            Enqueue(Reply() with { Message = result.Message, InstanceUuid = result.InstanceUuid });
        }
        catch (TektonException exception)
        {
            Enqueue(Reply() with { Code = (int)exception.Code, Message = exception.Message });
        }
        catch (Exception exception)
        {
            LogStartFailed(exception, request.Kind, request.ComponentId ?? string.Empty);
            Enqueue(Reply() with { Code = (int)(request.Kind == "stop" ? ErrorCode.GeneralError : ErrorCode.StartupFailed), Message = $"The {request.Kind} failed on node {_node}: {exception.Message}" });
        }
    }

    private async Task ReloadKeysAsync()
    {
        try
        {
            await keys.ReloadAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogKeysFailed(exception);
        }
    }

    private void Enqueue(ClusterMessage message) =>
        _outbox.Writer.TryWrite(JsonSerializer.SerializeToUtf8Bytes(message with { Sender = _process }, ClusterJson.Default.ClusterMessage));

    /// <summary>One sender, so the other nodes receive this node's messages in the order they were queued.</summary>
    private async Task SendAsync()
    {
        var subscriber = _connection!.GetSubscriber();
        await foreach (var message in _outbox.Reader.ReadAllAsync())
        {
            try
            {
                await subscriber.PublishAsync(_channel, message);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                LogPublishFailed(exception);
            }
        }
    }

    private void Receive(ChannelMessage received)
    {
        ClusterMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(((byte[])received.Message!).AsSpan(), ClusterJson.Default.ClusterMessage);
        }
        catch (JsonException exception)
        {
            LogUnreadable(exception);
            return;
        }

        if (message is null || message.Sender == _process || (message.Target is { } target && target != _node))
        {
            return;
        }

        switch (message.Kind)
        {
            case "commit":
                writer.Refresh(message.Components ?? [], message.StateChanges ?? []);
                break;
            case "heartbeat" when message is { ComponentId: { } id, InstanceUuid: { } uuid, Ticks: { } ticks, Status: { } status }:
                var timestamp = new DateTimeOffset(ticks, TimeSpan.Zero);
                heartbeats.RecordRelayed(new HeartbeatRecord(id, uuid, timestamp, null));
                events.PublishRelayed(new HeartbeatEvent
                {
                    ComponentId = id,
                    InstanceUuid = uuid,
                    Timestamp = timestamp,
                    Status = status,
                    Metrics = message.Metrics ?? JsonText.EmptyObject,
                });
                break;
            case "keys":
                _ = Task.Run(ReloadKeysAsync);
                break;
            // Until this process holds its node name (at start), another process may still be that node.
            case "start" or "stop" when message is { Request: not null, ComponentId: not null } && presence is not { Claimed: false }:
                _ = Task.Run(() => CarryOutAsync(message));
                break;
            case "accepted" when message.Request is { } request && _requests.TryGetValue(request, out var pending):
                pending.Accepted.TrySetResult();
                break;
            case "reply" when message.Request is { } request && _requests.TryGetValue(request, out var pending):
                pending.Accepted.TrySetResult();
                pending.Answer.TrySetResult(message);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} joined the cluster on Redis channel {Channel}")]
    private partial void LogJoined(string node, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing to the other nodes failed; they catch up with that change at their next reload")]
    private partial void LogPublishFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Kind} of {ComponentId} forwarded by another node failed")]
    private partial void LogStartFailed(Exception exception, string kind, string componentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading the API keys another node changed failed; they are read again at the next change or restart")]
    private partial void LogKeysFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable message on the cluster channel was ignored")]
    private partial void LogUnreadable(Exception exception);
}

/// <summary>A request sent to another node: acknowledged first, answered later.</summary>
internal sealed class PendingRequest
{
    public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<ClusterMessage> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One message between nodes; the fields of its kind are set.</summary>
public sealed record ClusterMessage
{
    public required string Node { get; init; }

    /// <summary>The process that sent it (<see cref="NodePresence.Process"/>), so each process skips only its own messages.</summary>
    public Guid? Sender { get; init; }

    /// <summary><c>commit</c>, <c>heartbeat</c>, <c>keys</c> (API keys changed), <c>start</c> or <c>stop</c> (requests), <c>accepted</c> (a request was received) or <c>reply</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The one node a request or reply is for; null for every node.</summary>
    public string? Target { get; init; }

    public Guid? Request { get; init; }

    public bool? Wait { get; init; }

    public double? DependencyTimeout { get; init; }

    public bool? Force { get; init; }

    public double? Timeout { get; init; }

    public bool? Cascade { get; init; }

    /// <summary>A reply's error code; null when the start succeeded.</summary>
    public int? Code { get; init; }

    public string? Message { get; init; }

    public IReadOnlyList<string>? Components { get; init; }

    public IReadOnlyList<long>? StateChanges { get; init; }

    public string? ComponentId { get; init; }

    public Guid? InstanceUuid { get; init; }

    public long? Ticks { get; init; }

    public string? Status { get; init; }

    public JsonText? Metrics { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterMessage))]
internal sealed partial class ClusterJson : JsonSerializerContext;
