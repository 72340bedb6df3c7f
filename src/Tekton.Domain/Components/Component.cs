using Tekton.Domain.Errors;
using Tekton.Domain.Resources;

namespace Tekton.Domain.Components;

/// <summary>
/// A registered component: its latest definition and its instances. The aggregate root of the registry:
/// instances are created and pruned only through it.
/// </summary>
public sealed class Component
{
    /// <summary>How many ended (stopped or failed) instances are kept for history beside the live ones.</summary>
    public const int EndedInstancesKept = 5;

    // Capacity 1: almost every component has one instance, and a list's first growth would make room for four.
    private readonly List<ComponentInstance> _instances = new(1);

    private Component()
    {
        ComponentId = ComponentName = ComponentType = Version = Host = MetadataJson = string.Empty;
        Capabilities = Dependencies = [];
    }

    public string ComponentId { get; private set; }

    public string ComponentName { get; private set; }

    public string ComponentType { get; private set; }

    public string Version { get; private set; }

    public string[] Capabilities { get; private set; }

    public string[] Dependencies { get; private set; }

    public string Host { get; private set; }

    public int? Port { get; private set; }

    public string? HealthCheck { get; private set; }

    /// <summary>The component's own metadata, a JSON object kept as text.</summary>
    public string MetadataJson { get; private set; }

    /// <summary>Seconds between heartbeats that the component promises.</summary>
    public double HeartbeatInterval { get; private set; }

    /// <summary>Seconds without a heartbeat after which the component counts as missing.</summary>
    public double HeartbeatTimeout { get; private set; }

    /// <summary>How Tekton starts this component as a process; <c>null</c> for a component that starts itself.</summary>
    public LaunchSpec? Launch { get; private set; }

    /// <summary>Start this component when Tekton boots (design §6.3).</summary>
    public bool Autostart { get; private set; }

    /// <summary>What must be free before the component may start (design §8.3); <c>null</c> for none.</summary>
    public ResourceRequirements? Requirements { get; private set; }

    /// <summary>Position in registration order; breaks ties in the startup order (design §7).</summary>
    public long RegistrationSequence { get; private set; }

    public DateTimeOffset RegisteredAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyList<ComponentInstance> Instances => _instances;

    /// <summary>The instance that speaks for the component: the newest live one, else the newest one (the one added last on a tie).</summary>
    public ComponentInstance? CurrentInstance
    {
        get
        {
            // The newest live instance, else the newest; of instances made at the same time, the one added last.
            ComponentInstance? newestLive = null;
            ComponentInstance? newest = null;
            foreach (var instance in _instances)
            {
                if (newest is null || instance.CreatedAt >= newest.CreatedAt)
                {
                    newest = instance;
                }

                if (instance.IsLive && (newestLive is null || instance.CreatedAt >= newestLive.CreatedAt))
                {
                    newestLive = instance;
                }
            }

            return newestLive ?? newest;
        }
    }

    /// <summary>The component's status is that of its current instance (design §5).</summary>
    public ComponentState Status => CurrentInstance?.Status ?? ComponentState.Registered;

    public static Component Register(string componentId, ComponentDefinition definition, long registrationSequence, DateTimeOffset at)
    {
        var component = new Component
        {
            ComponentId = componentId,
            ComponentType = definition.ComponentType,
            RegistrationSequence = registrationSequence,
            RegisteredAt = at,
        };
        component.Apply(definition, at);
        return component;
    }

    /// <summary>Replaces the definition; the type of a component is fixed at its first registration (1011).</summary>
    public void Redefine(ComponentDefinition definition, DateTimeOffset at)
    {
        if (!string.Equals(definition.ComponentType, ComponentType, StringComparison.Ordinal))
        {
            throw new TektonException(
                ErrorCode.ComponentAlreadyExists,
                $"Component '{ComponentId}' is already registered with type '{ComponentType}', not '{definition.ComponentType}'.",
                new Dictionary<string, object?> { ["existing_type"] = ComponentType });
        }

        Apply(definition, at);
    }

    public ComponentInstance? FindInstance(Guid instanceUuid) =>
        _instances.Find(i => i.InstanceUuid == instanceUuid);

    /// <summary>
    /// Adds a new instance in state <c>registered</c>, and forgets the oldest ended instances beyond
    /// <see cref="EndedInstancesKept"/>. Returns the instance and the state change that records it.
    /// </summary>
    public (ComponentInstance Instance, StateChange Change) AddInstance(Guid instanceUuid, DateTimeOffset at)
    {
        if (FindInstance(instanceUuid) is not null)
        {
            throw new InvalidOperationException($"Instance {instanceUuid} already exists.");
        }

        var instance = new ComponentInstance(ComponentId, instanceUuid, at);
        _instances.Add(instance);
        PruneEndedInstances();
        return (instance, new StateChange(ComponentId, ComponentType, instanceUuid, null, ComponentState.Registered, at, "registered"));
    }

    /// <summary>The instances that may still be running, newest first.</summary>
    public IEnumerable<ComponentInstance> LiveInstances => _instances.Where(i => i.IsLive).OrderByDescending(i => i.CreatedAt);

    /// <summary>The record of this component leaving the registry.</summary>
    public StateChange Deregistered(DateTimeOffset at) =>
        new(ComponentId, ComponentType, CurrentInstance?.InstanceUuid, Status, null, at, "deregistered");

    /// <summary>
    /// Replaces strings with equal ones that other components hold too, so that a registry of many components keeps
    /// one copy of what they have in common instead of one each: <paramref name="shared"/> gives the copy to keep of a
    /// type, version, host, health check path, capability or reason; <paramref name="componentId"/> that of a
    /// dependency's id (the id string of the component it names). Every value stays equal; nothing is changed.
    /// </summary>
    public void ShareStrings(Func<string, string> shared, Func<string, string> componentId)
    {
        ComponentType = shared(ComponentType);
        Version = shared(Version);
        Host = shared(Host);
        HealthCheck = HealthCheck is null ? null : shared(HealthCheck);
        Capabilities = Share(Capabilities, shared);
        Dependencies = Share(Dependencies, componentId);
        foreach (var instance in _instances)
        {
            instance.ShareStrings(ComponentId, shared);
        }

        static string[] Share(string[] values, Func<string, string> share)
        {
            if (values.Length == 0)
            {
                return [];
            }

            for (var i = 0; i < values.Length; i++)
            {
                // Written only where another copy is kept: an array a published view shares is never rewritten needlessly.
                var kept = share(values[i]);
                if (!ReferenceEquals(kept, values[i]))
                {
                    values[i] = kept;
                }
            }

            return values;
        }
    }

    private void Apply(ComponentDefinition definition, DateTimeOffset at)
    {
        ComponentName = definition.ComponentName;
        Version = definition.Version;
        Capabilities = [.. definition.Capabilities];
        Dependencies = [.. definition.Dependencies];
        Host = definition.Host;
        Port = definition.Port;
        HealthCheck = definition.HealthCheck;
        MetadataJson = definition.MetadataJson;
        HeartbeatInterval = definition.HeartbeatInterval;
        HeartbeatTimeout = definition.HeartbeatTimeout;
        Launch = definition.Launch;
        Autostart = definition.Autostart;
        Requirements = definition.Requirements;
        UpdatedAt = at;
    }

    private void PruneEndedInstances()
    {
        if (_instances.Count(i => !i.IsLive) <= EndedInstancesKept)
        {
            return;
        }

        // Oldest first, ties by position (stable sort), so the ones added last are kept.
        var ended = _instances.Where(i => !i.IsLive).OrderBy(i => i.CreatedAt).SkipLast(EndedInstancesKept).ToList();
        foreach (var instance in ended)
        {
            _instances.Remove(instance);
        }
    }
}
