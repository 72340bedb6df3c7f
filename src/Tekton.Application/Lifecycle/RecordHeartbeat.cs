using System.ComponentModel;
using System.Text.Json;
using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Application.Events;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Application.Lifecycle;

/// <summary>The body of <c>POST /api/tekton/components/{id}/heartbeat</c> (design §6.2).</summary>
public sealed record HeartbeatBody
{
    [Description("The instance that is alive; defaults to the component's current instance")]
    public Guid? InstanceUuid { get; init; }

    [Description("The state the instance reports, if it changed (registered | initializing | ready | degraded | stopping | stopped | failed)")]
    public string? Status { get; init; }

    [Description("At most 64 names (1-64 characters) to numbers, booleans, null or strings of at most 256 characters, e.g. cpu_percent (0-100), memory_percent (0-100), active_connections; sent to every heartbeat subscriber")]
    public JsonElement? Metrics { get; init; }

    [Description("Health of the component's parts, name to state (e.g. database: healthy)")]
    public IReadOnlyDictionary<string, string>? Health { get; init; }
}

/// <summary>A heartbeat: kept in memory on the hot path; only a reported state change is written to disk.</summary>
public sealed record RecordHeartbeat(string ComponentId, HeartbeatBody Body) : ICommand<HeartbeatResult>;

public sealed record HeartbeatResult(bool Success, string Message, Guid InstanceUuid, string Status);

public sealed class RecordHeartbeatValidator : AbstractValidator<RecordHeartbeat>
{
    /// <summary>Metrics are kept and sent to every subscriber, so each heartbeat's are bounded (design §10).</summary>
    public const int MaxMetrics = 64;

    public RecordHeartbeatValidator()
    {
        RuleFor(h => h.Body.Status)
            .MustBeAState()
            .When(h => h.Body.Status is not null)
            .OverridePropertyName("status");
        RuleFor(h => h.Body.Metrics)
            .Must(m => IsValidMetrics(m!.Value))
            .When(h => h.Body.Metrics is { ValueKind: not JsonValueKind.Null })
            .OverridePropertyName("metrics")
            .WithMessage($"metrics must be a JSON object of at most {MaxMetrics} names (1-64 characters) to numbers, booleans, null or strings of at most 256 characters.");
        RuleFor(h => h.Body.Health)
            .Must(h => IsValidHealth(h!))
            .When(h => h.Body.Health is not null)
            .OverridePropertyName("health")
            .WithMessage("health must map at most 64 names (1-64 characters) to states of at most 256 characters.");
    }

    /// <summary>The health rule, shared with the heartbeat's fast path (Tekton.Web's HotPaths).</summary>
    public static bool IsValidHealth(IReadOnlyDictionary<string, string> health) =>
        health.Count <= 64 && health.All(e => e.Key.Length is > 0 and <= 64 && e.Value is { Length: <= 256 });

    /// <summary>The metrics rule, shared with the heartbeat's fast path: a flat object, within the bounds.</summary>
    public static bool IsValidMetrics(JsonElement metrics)
    {
        if (metrics.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var count = 0;
        foreach (var metric in metrics.EnumerateObject())
        {
            var valid = ++count <= MaxMetrics && metric.Name.Length is > 0 and <= 64 && metric.Value.ValueKind switch
            {
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
                JsonValueKind.String => metric.Value.GetString()!.Length <= 256,
                _ => false,
            };
            if (!valid)
            {
                return false;
            }
        }

        return true;
    }
}

public sealed class RecordHeartbeatHandler(
    RegistryProjection projection, HeartbeatTable heartbeats, IRegistryWriter writer, EventBus events, TimeProvider clock)
    : ICommandHandler<RecordHeartbeat, HeartbeatResult>
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    public async ValueTask<HeartbeatResult> Handle(RecordHeartbeat command, CancellationToken cancellationToken)
    {
        var view = projection.Current.Find(command.ComponentId) ?? throw TektonException.ComponentNotFound(command.ComponentId);
        var instance = command.Body.InstanceUuid is { } uuid
            ? view.FindInstance(uuid) ?? throw TektonException.InstanceNotFound(command.ComponentId, uuid)
            : view.Current ?? throw new TektonException(ErrorCode.ComponentNotFound, $"Component '{command.ComponentId}' has no instance.");

        var metrics = command.Body.Metrics is { ValueKind: JsonValueKind.Object } m ? m : (JsonElement?)null;
        var received = clock.GetUtcNow();
        heartbeats.Record(new HeartbeatRecord(command.ComponentId, instance.InstanceUuid, received, metrics, command.Body.Health));

        var status = instance.Status;
        if (instance is { Status: ComponentState.Degraded or ComponentState.Failed, StatusReason: ComponentInstance.HeartbeatMissed })
        {
            status = await writer.WriteAsync(
                write =>
                {
                    var component = write.Find(command.ComponentId);
                    var target = component?.FindInstance(instance.InstanceUuid);
                    if (component is not null && target?.Recovered(ComponentInstance.HeartbeatMissed, component.ComponentType, write.Now) is { } change)
                    {
                        write.Record(change);
                    }

                    return target?.Status ?? instance.Status;
                },
                cancellationToken);
        }

        if (command.Body.Status is { } reported && ComponentStates.TryParse(reported, out var state) && state != status)
        {
            status = await writer.WriteAsync(
                write =>
                {
                    var component = write.Find(command.ComponentId) ?? throw TektonException.ComponentNotFound(command.ComponentId);
                    var target = component.FindInstance(instance.InstanceUuid) ?? throw TektonException.InstanceNotFound(command.ComponentId, instance.InstanceUuid);
                    if (target.RequestTransition(state, component.ComponentType, write.Now, "heartbeat") is { } change)
                    {
                        write.Record(change);
                    }

                    return target.Status;
                },
                cancellationToken);
        }

        events.Publish(new HeartbeatEvent
        {
            ComponentId = command.ComponentId,
            InstanceUuid = instance.InstanceUuid,
            Timestamp = received,
            Status = status.ToWire(),
            Metrics = metrics ?? EmptyObject,
        });
        return new HeartbeatResult(true, "Heartbeat received", instance.InstanceUuid, status.ToWire());
    }
}
