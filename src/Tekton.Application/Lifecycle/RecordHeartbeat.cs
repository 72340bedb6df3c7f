using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
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
public sealed record RecordHeartbeat(string ComponentId, HeartbeatBody Body) : ICommand<HeartbeatResult>
{
    /// <summary>
    /// The body's metrics as the text they came in, when the caller read them so and checked them under the rule
    /// (the heartbeat's fast path); otherwise the handler takes them from <see cref="HeartbeatBody.Metrics"/>.
    /// </summary>
    public JsonText? MetricsText { get; init; }
}

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

    /// <summary>The metrics rule: a flat object, within the bounds (read from the element's own text).</summary>
    public static bool IsValidMetrics(JsonElement metrics)
    {
        if (metrics.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(metrics));
        return reader.Read() && IsValidMetrics(ref reader);
    }

    /// <summary>
    /// The metrics rule on a reader at the value's first token, shared with the heartbeat's fast path (Tekton.Web's
    /// HotPaths). A valid object is read to its end; names and strings count in UTF-16 characters, as the
    /// bounds read, and one that is not valid UTF-8 fails the rule.
    /// </summary>
    public static bool IsValidMetrics(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (++count > MaxMetrics || TextLength(ref reader) is not (> 0 and <= 64) || !reader.Read())
            {
                return false;
            }

            var valid = reader.TokenType switch
            {
                JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null => true,
                JsonTokenType.String => TextLength(ref reader) is >= 0 and <= 256,
                _ => false,
            };
            if (!valid)
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>The length in UTF-16 characters of the name or string the reader is on; -1 when it is not valid text.</summary>
    private static int TextLength(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var utf8 = reader.ValueSpan;
            return Ascii.IsValid(utf8) ? utf8.Length : Utf8.IsValid(utf8) ? Encoding.UTF8.GetCharCount(utf8) : -1;
        }

        try
        {
            return reader.GetString()!.Length;
        }
        catch (InvalidOperationException)
        {
            // Not valid UTF-8, or an escaped lone surrogate.
            return -1;
        }
    }
}

public sealed class RecordHeartbeatHandler(
    RegistryProjection projection, HeartbeatTable heartbeats, IRegistryWriter writer, EventBus events, TimeProvider clock)
    : ICommandHandler<RecordHeartbeat, HeartbeatResult>
{
    public async ValueTask<HeartbeatResult> Handle(RecordHeartbeat command, CancellationToken cancellationToken)
    {
        var componentId = command.ComponentId;
        var view = projection.Current.Find(componentId) ?? throw TektonException.ComponentNotFound(componentId);
        var instance = command.Body.InstanceUuid is { } uuid
            ? view.FindInstance(uuid) ?? throw TektonException.InstanceNotFound(componentId, uuid)
            : view.Current ?? throw new TektonException(ErrorCode.ComponentNotFound, $"Component '{componentId}' has no instance.");

        var received = clock.GetUtcNow();
        heartbeats.Record(new HeartbeatRecord(componentId, instance.InstanceUuid, received, command.Body.Health));

        var status = instance.Status;
        if (instance is { Status: ComponentState.Degraded or ComponentState.Failed, StatusReason: ComponentInstance.HeartbeatMissed })
        {
            status = await RecoverAsync(componentId, instance, cancellationToken);
        }

        if (command.Body.Status is { } reported && ComponentStates.TryParse(reported, out var state) && state != status)
        {
            status = await TransitionAsync(componentId, instance.InstanceUuid, state, cancellationToken);
        }

        events.Publish(new HeartbeatEvent
        {
            ComponentId = componentId,
            InstanceUuid = instance.InstanceUuid,
            Timestamp = received,
            Status = status.ToWire(),
            Metrics = command.MetricsText
                ?? (command.Body.Metrics is { ValueKind: JsonValueKind.Object } metrics ? JsonText.From(metrics) : JsonText.EmptyObject),
        });
        return new HeartbeatResult(true, "Heartbeat received", instance.InstanceUuid, status.ToWire());
    }

    // The writes are methods of their own so that their closures are made only when a heartbeat writes.
    private ValueTask<ComponentState> RecoverAsync(string componentId, InstanceView instance, CancellationToken cancellationToken) =>
        writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId);
                var target = component?.FindInstance(instance.InstanceUuid);
                if (component is not null && target?.Recovered(ComponentInstance.HeartbeatMissed, component.ComponentType, write.Now) is { } change)
                {
                    write.Record(change);
                }

                return target?.Status ?? instance.Status;
            },
            cancellationToken);

    private ValueTask<ComponentState> TransitionAsync(string componentId, Guid instanceUuid, ComponentState state, CancellationToken cancellationToken) =>
        writer.WriteAsync(
            write =>
            {
                var component = write.Find(componentId) ?? throw TektonException.ComponentNotFound(componentId);
                var target = component.FindInstance(instanceUuid) ?? throw TektonException.InstanceNotFound(componentId, instanceUuid);
                if (target.RequestTransition(state, component.ComponentType, write.Now, "heartbeat") is { } change)
                {
                    write.Record(change);
                }

                return target.Status;
            },
            cancellationToken);
}
