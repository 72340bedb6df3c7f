using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FluentValidation;
using Mediator;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Application.Resources;
using Tekton.Domain.Components;
using Tekton.Domain.Dependencies;
using Tekton.Domain.Errors;
using Component = Tekton.Domain.Components.Component;

namespace Tekton.Application.Components;

/// <summary>
/// Registers a component: an upsert of its definition plus a new instance (design §5). Fields are nullable
/// so that a missing one is reported by the validator, by name, rather than by the JSON reader.
/// </summary>
public sealed record RegisterComponent : ICommand<RegisterComponentResult>, ITektonRequest
{
    public const int MaxMetadataBytes = 32 * 1024;
    public const int MaxListItems = 64;

    [Description("1-64 characters: letters, digits, '_', '.', '-'; starts with a letter or digit")]
    [Required]
    public string? ComponentId { get; init; }

    [Description("Human-readable name, at most 128 characters")]
    [Required]
    public string? ComponentName { get; init; }

    [Description("Lowercase token such as service, memory, llm, ui (^[a-z][a-z0-9_-]{0,31}$)")]
    [Required]
    public string? ComponentType { get; init; }

    [Description("Semantic Versioning 2.0 version, e.g. 1.0.0")]
    [Required]
    public string? Version { get; init; }

    [Description("At most 64 unique capability tokens")]
    public IReadOnlyList<string?>? Capabilities { get; init; }

    [Description("Ids of the components this one needs, at most 64, never itself")]
    public IReadOnlyList<string?>? Dependencies { get; init; }

    [Description("Hostname or IP address the component listens on; default localhost")]
    public string? Host { get; init; }

    [Description("TCP port, 1-65535")]
    public int? Port { get; init; }

    [Description("Path of the health endpoint, starting with '/'")]
    public string? HealthCheck { get; init; }

    [Description("Any JSON object, at most 32 KiB")]
    public JsonElement? Metadata { get; init; }

    [Description("Seconds between heartbeats (default 10)")]
    public double? HeartbeatInterval { get; init; }

    [Description("Seconds without a heartbeat before the component counts as missing (default 30, at least heartbeat_interval)")]
    public double? HeartbeatTimeout { get; init; }

    [Description("How Tekton starts this component as a supervised process (design §6.3)")]
    public LaunchBody? Launch { get; init; }

    [Description("What must be free before the component may start (design §8.3)")]
    public RequirementsBody? Requirements { get; init; }

    [Description("Start this component when Tekton boots")]
    public bool? Autostart { get; init; }

    [Description("Attach to this existing instance instead of creating a new one (set by processes Tekton launched)")]
    public Guid? InstanceUuid { get; init; }

    /// <summary>The request's <c>Idempotency-Key</c> header, not a body field.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? IdempotencyKey { get; init; }

    ErrorCode ITektonRequest.ValidationErrorCode => ErrorCode.RegistrationFailed;
}

/// <summary>The reference's registration answer; <c>warnings</c> appears when the registration closes a cycle or names missing dependencies.</summary>
public sealed record RegisterComponentResult(
    bool Success,
    string Message,
    [property: Description("The instance registered or attached to: the request's instance_uuid when given, else a new version 7 (time-ordered) uuid")]
    Guid InstanceUuid,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    [property: Description("Present when the registration closes a dependency cycle or names unregistered dependencies")]
    IReadOnlyList<string>? Warnings)
{
    /// <summary>True when the component id was new to the registry.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Created { get; init; }
}

public sealed class RegisterComponentValidator : AbstractValidator<RegisterComponent>
{
    public RegisterComponentValidator()
    {
        RuleFor(r => r.ComponentId).Must(NotBlank).WithMessage("component_id is required.")
            .MaximumLength(64).WithMessage("component_id must be at most 64 characters.")
            .Matches(Wire.ComponentId()).WithMessage($"component_id must match {Wire.ComponentIdPattern}.");
        RuleFor(r => r.ComponentName).Must(NotBlank).WithMessage("component_name is required.")
            .MaximumLength(128).WithMessage("component_name must be at most 128 characters.");
        RuleFor(r => r.ComponentType).Must(NotBlank).WithMessage("component_type is required.")
            .Matches(Wire.ComponentType()).WithMessage($"component_type must match {Wire.ComponentTypePattern}.");
        RuleFor(r => r.Version).Must(NotBlank).WithMessage("version is required.")
            .MaximumLength(128).WithMessage("version must be at most 128 characters.")
            .Matches(Wire.SemVer()).WithMessage("version must be a Semantic Versioning 2.0 version such as 1.0.0.");

        RuleFor(r => r.Capabilities).Must(BeUniqueTokens).When(r => r.Capabilities is not null)
            .WithMessage($"capabilities must be at most {RegisterComponent.MaxListItems} unique tokens matching {Wire.CapabilityPattern}.");
        RuleFor(r => r.Dependencies).Must(BeUniqueIds).When(r => r.Dependencies is not null)
            .WithMessage($"dependencies must be at most {RegisterComponent.MaxListItems} unique component ids matching {Wire.ComponentIdPattern}.");
        RuleFor(r => r.Dependencies).Must((r, deps) => !deps!.Contains(r.ComponentId))
            .When(r => r.Dependencies is not null && r.ComponentId is not null)
            .WithMessage("A component cannot depend on itself.");

        RuleFor(r => r.Host).Must(BeHost).When(r => r.Host is not null)
            .WithMessage("host must be a hostname or an IP address.");
        RuleFor(r => r.Port).InclusiveBetween(1, 65535).When(r => r.Port is not null)
            .WithMessage("port must be between 1 and 65535.");
        RuleFor(r => r.HealthCheck).Must(BePath).When(r => r.HealthCheck is not null)
            .WithMessage("health_check must be a path starting with '/', at most 2048 characters.");
        RuleFor(r => r.Metadata).Must(m => m!.Value.ValueKind == JsonValueKind.Object)
            .When(r => r.Metadata is { ValueKind: not JsonValueKind.Null })
            .WithMessage("metadata must be a JSON object.");
        RuleFor(r => r.Metadata).Must(m => Encoding.UTF8.GetByteCount(m!.Value.GetRawText()) <= RegisterComponent.MaxMetadataBytes)
            .When(r => r.Metadata is { ValueKind: JsonValueKind.Object })
            .WithMessage($"metadata must be at most {RegisterComponent.MaxMetadataBytes / 1024} KiB.");

        RuleFor(r => r.HeartbeatInterval).InclusiveBetween(0.1, 86_400).When(r => r.HeartbeatInterval is not null)
            .WithMessage("heartbeat_interval must be between 0.1 and 86400 seconds.");
        RuleFor(r => r.HeartbeatTimeout).InclusiveBetween(0.1, 86_400).When(r => r.HeartbeatTimeout is not null)
            .WithMessage("heartbeat_timeout must be between 0.1 and 86400 seconds.");
        RuleFor(r => r.HeartbeatTimeout)
            .Must((r, timeout) => timeout >= (r.HeartbeatInterval ?? ComponentDefinition.DefaultHeartbeatInterval))
            .When(r => r.HeartbeatTimeout is not null)
            .WithMessage("heartbeat_timeout must be at least heartbeat_interval.");
        RuleFor(r => r.IdempotencyKey).Must(k => k!.Length is > 0 and <= RegistrationReplays.MaxKeyLength && k.All(c => c is > ' ' and <= '~'))
            .When(r => r.IdempotencyKey is not null).OverridePropertyName("idempotency_key")
            .WithMessage($"The Idempotency-Key header must be 1-{RegistrationReplays.MaxKeyLength} visible ASCII characters.");
        RuleFor(r => r.Launch!).SetValidator(new LaunchBodyValidator()).When(r => r.Launch is not null).OverridePropertyName("launch");
        RuleFor(r => r.Requirements!).SetValidator(new RequirementsBodyValidator()).When(r => r.Requirements is not null).OverridePropertyName("requirements");
        RuleFor(r => r.InstanceUuid).NotEqual(Guid.Empty).When(r => r.InstanceUuid is not null)
            .WithMessage("instance_uuid must not be the empty UUID.");
    }

    /// <summary>
    /// NotEmpty's rule for a string (not null, empty or white space) without its cost: FluentValidation's NotEmpty also
    /// enumerates a non-blank string's characters as a collection, an allocation per field of every registration.
    /// </summary>
    private static bool NotBlank(string? value) => !string.IsNullOrWhiteSpace(value);

    private static bool BeUniqueTokens(IReadOnlyList<string?>? items) => AreUniqueAnd(items, static i => i is not null && Wire.Capability().IsMatch(i));

    private static bool BeUniqueIds(IReadOnlyList<string?>? items) => AreUniqueAnd(items, static i => i is { Length: <= 64 } && Wire.ComponentId().IsMatch(i));

    /// <summary>
    /// At most <see cref="RegisterComponent.MaxListItems"/> items, each valid and none twice. The usual short list is
    /// compared pairwise, without the set (and enumerators) a distinct count allocates.
    /// </summary>
    private static bool AreUniqueAnd(IReadOnlyList<string?>? items, Func<string?, bool> valid)
    {
        if (items is null || items.Count > RegisterComponent.MaxListItems)
        {
            return false;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (!valid(items[i]))
            {
                return false;
            }
        }

        if (items.Count > 8)
        {
            return items.Distinct(StringComparer.Ordinal).Count() == items.Count;
        }

        for (var i = 1; i < items.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(items[i], items[j], StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool BeHost(string? host) =>
        host is { Length: > 0 and <= 253 } && Uri.CheckHostName(host) switch
        {
            UriHostNameType.IPv4 or UriHostNameType.IPv6 => true,
            // A name whose last label is all digits is neither an address nor a hostname (RFC 1123 2.1): 256.256.256.256.
            UriHostNameType.Dns => !host.TrimEnd('.').Split('.')[^1].All(char.IsAsciiDigit),
            _ => false,
        };

    private static bool BePath(string? path) =>
        path is { Length: > 0 and <= 2048 } && path[0] == '/' && !path.StartsWith("//", StringComparison.Ordinal) && !path.Any(char.IsControl)
        && Uri.IsWellFormedUriString(path, UriKind.Relative);
}

public sealed class RegisterComponentHandler(
    IRegistryWriter writer, RegistryProjection projection, Microsoft.Extensions.Options.IOptions<Security.LimitOptions> limits, RegistrationReplays replays,
    LocalNode node)
    : ICommandHandler<RegisterComponent, RegisterComponentResult>
{
    public async ValueTask<RegisterComponentResult> Handle(RegisterComponent command, CancellationToken cancellationToken)
    {
        var id = command.ComponentId!;
        var definition = Definition(command, node);
        var fingerprint = command.IdempotencyKey is null ? null : RegistrationReplays.Fingerprint(command);
        if (command.IdempotencyKey is { } earlierKey && replays.Find(earlierKey) is { } earlier)
        {
            return Replay(earlier, fingerprint!);
        }

        (bool Created, Guid InstanceUuid, RegistrationReplay? Earlier) outcome;
        var mine = new StrongBox<RegistrationReplay?>();
        try
        {
            outcome = await writer.WriteAsync<(bool, Guid, RegistrationReplay?)>(
                write => Apply(write, command, id, definition, fingerprint, mine), cancellationToken);
        }
        catch when (mine.Value is { } uncommitted)
        {
            // This write's record did not commit with it: a retry must run again, not replay.
            replays.Forget(uncommitted.Key);
            throw;
        }

        if (outcome.Earlier is { } concurrent)
        {
            return Replay(concurrent, fingerprint!);
        }

        return new RegisterComponentResult(true, "Component registered successfully", outcome.InstanceUuid, Warnings(id))
        {
            Created = outcome.Created,
        };
    }

    private (bool, Guid, RegistrationReplay?) Apply(
        RegistryWrite write, RegisterComponent command, string id, ComponentDefinition definition, string? fingerprint, StrongBox<RegistrationReplay?> mine)
    {
        // A retry that raced the first request, both past the check above: the first one's write already ran.
        if (command.IdempotencyKey is { } key && replays.Find(key) is { } earlier)
        {
            return (false, Guid.Empty, earlier);
        }

        // An instance of this component (a launched process attaching to its instance, the usual case) needs no
        // search of the others: an instance uuid belongs to one component.
        if (command.InstanceUuid is { } requested
            && write.Find(id)?.FindInstance(requested) is null
            && write.Components.FirstOrDefault(c => c.ComponentId != id && c.FindInstance(requested) is not null) is { } owner)
        {
            throw new RequestValidationException(ErrorCode.RegistrationFailed, new Dictionary<string, string[]>
            {
                ["instance_uuid"] = [$"Instance '{requested}' belongs to component '{owner.ComponentId}'."],
            });
        }

        var component = write.Find(id);
        var created = component is null;
        if (component is null)
        {
            if (write.Count >= limits.Value.MaxComponents)
            {
                throw new LimitExceededException(
                    $"Tekton holds {limits.Value.MaxComponents} components, its limit (Tekton:Limits:MaxComponents); deregister some or raise the limit.");
            }

            component = Component.Register(id, definition, write.NextRegistrationSequence(), write.Now);
            write.Add(component);
        }
        else
        {
            // launch, autostart and requirements belong to the operator: a component registering itself leaves them as they are.
            component.Redefine(
                definition with
                {
                    Launch = definition.Launch ?? component.Launch,
                    Autostart = command.Autostart ?? component.Autostart,
                    Requirements = command.Requirements is null ? component.Requirements : definition.Requirements,
                },
                write.Now);
        }

        if (command.InstanceUuid is { } attach && component.FindInstance(attach) is not null)
        {
            mine.Value = RecordReplay(write, command, id, created, attach, fingerprint);
            return (created, attach, null);
        }

        var (instance, change) = component.AddInstance(command.InstanceUuid ?? ComponentInstance.NewUuid(), write.Now);
        write.Add(instance);
        write.Record(change);
        mine.Value = RecordReplay(write, command, id, created, instance.InstanceUuid, fingerprint);
        return (created, instance.InstanceUuid, null);
    }

    private RegistrationReplay? RecordReplay(RegistryWrite write, RegisterComponent command, string id, bool created, Guid instanceUuid, string? fingerprint)
    {
        if (command.IdempotencyKey is not { } key)
        {
            return null;
        }

        var replay = new RegistrationReplay
        {
            Key = key, ComponentId = id, InstanceUuid = instanceUuid, Created = created, Fingerprint = fingerprint!, CreatedAt = write.Now,
        };
        replays.Record(write, replay);
        return replay;
    }

    /// <summary>The first answer again; the same key with another body is refused (1002).</summary>
    private RegisterComponentResult Replay(RegistrationReplay earlier, string fingerprint)
    {
        if (earlier.Fingerprint != fingerprint)
        {
            throw new RequestValidationException(ErrorCode.RegistrationFailed, new Dictionary<string, string[]>
            {
                ["idempotency_key"] = [$"Idempotency-Key '{earlier.Key}' was used for a different registration (of '{earlier.ComponentId}'); use a new key for a new request."],
            });
        }

        return new RegisterComponentResult(true, "Component registered successfully", earlier.InstanceUuid, Warnings(earlier.ComponentId))
        {
            Created = earlier.Created,
        };
    }

    /// <summary>The domain definition a validated registration declares, with the defaults filled in.</summary>
    public static ComponentDefinition Definition(RegisterComponent command, LocalNode node) => new(
        command.ComponentName!,
        command.ComponentType!,
        command.Version!,
        Present(command.Capabilities),
        Present(command.Dependencies),
        command.Host ?? "localhost",
        command.Port,
        command.HealthCheck,
        command.Metadata is { ValueKind: JsonValueKind.Object } metadata ? metadata.GetRawText() : "{}",
        command.HeartbeatInterval ?? ComponentDefinition.DefaultHeartbeatInterval,
        command.HeartbeatTimeout ?? Math.Max(ComponentDefinition.DefaultHeartbeatTimeout, 3 * (command.HeartbeatInterval ?? 0)),
        command.Launch?.ToSpec() is { } launch && node.Clustered ? launch with { Node = launch.Node ?? node.Name } : command.Launch?.ToSpec(),
        command.Autostart ?? false,
        command.Requirements?.ToRequirements());

    /// <summary>The list's strings, nulls left out (the validator refuses them; a command made in code may have them).</summary>
    private static string[] Present(IReadOnlyList<string?>? items)
    {
        if (items is null || items.Count == 0)
        {
            return [];
        }

        var present = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (item is not null)
            {
                present.Add(item);
            }
        }

        return [.. present];
    }

    /// <summary>Only what this registration touches is examined: a whole-graph analysis per registration would cost O(n) each.</summary>
    private IReadOnlyList<string>? Warnings(string id)
    {
        var snapshot = projection.Current;
        var view = snapshot.Find(id);
        if (view is null || view.Dependencies.Count == 0)
        {
            // No dependency: no cycle through it and nothing missing.
            return null;
        }

        List<string>? warnings = null;
        // Searched from what depends on this component, not from what it depends on: that side is what was
        // registered naming it, usually nothing, where its own dependencies may reach most of the registry. A cycle
        // through it needs both a dependency and a dependent, so without either there is nothing to search. The
        // commit that registered it has usually found it on no cycle already, searching its whole group at once.
        if (snapshot.DependentsById.ContainsKey(id) && !snapshot.IsKnownOffCycles(id)
            && DependencyGraph.ShortestCycleThroughDependents(id, snapshot.DependentsOf) is { } path)
        {
            (warnings ??= []).Add($"circular dependency: {string.Join(" -> ", path)}");
        }

        List<string>? missing = null;
        foreach (var dependency in view.Dependencies)
        {
            if (snapshot.Find(dependency) is null)
            {
                (missing ??= []).Add(dependency);
            }
        }

        if (missing is not null)
        {
            (warnings ??= []).Add($"dependencies not registered: {string.Join(", ", missing)}");
        }

        return warnings;
    }
}
