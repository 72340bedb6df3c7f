using System.Collections.Immutable;
using Tekton.Domain.Components;
using Tekton.Domain.Dependencies;

namespace Tekton.Application.Common;

/// <summary>
/// The in-memory read model of the registry, kept in step with committed writes: the writer publishes a new
/// snapshot after each group commit; readers take <see cref="Current"/> without locks.
/// </summary>
public sealed class RegistryProjection
{
    /// <summary>
    /// The most components that a commit's joint cycle search walks; past it (a component with very many dependents)
    /// each registration searches alone, as it would without the joint search.
    /// </summary>
    public const int OffCyclesLimit = 4096;

    private readonly Func<string, string> _shared;
    private RegistrySnapshot _current = RegistrySnapshot.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RegistryProjection()
    {
        _shared = Strings.Share;
    }

    /// <summary>The copies of common strings that the published components share.</summary>
    public SharedStrings Strings { get; } = new();

    public RegistrySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Completes at the next publish; waiters re-check <see cref="Current"/> then, instead of polling.</summary>
    public Task NextChange => Volatile.Read(ref _changed).Task;

    /// <summary>Waits until <paramref name="condition"/> holds for the current snapshot; false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitUntilAsync(Func<RegistrySnapshot, bool> condition, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Measured on the monotonic clock: a jump of the wall clock neither ends the wait early nor stretches it.
        var started = clock.GetTimestamp();
        while (true)
        {
            var next = NextChange;
            if (condition(Current))
            {
                return true;
            }

            var left = timeout - clock.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await next.WaitAsync(left, clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                return condition(Current);
            }
        }
    }

    /// <summary>
    /// Publishes the committed state of the given components (absent from <paramref name="registry"/> means removed).
    /// Their strings are first replaced by shared copies (<see cref="Component.ShareStrings"/>), so that the
    /// working set and the views hold one copy of what components have in common.
    /// </summary>
    public void Publish(Registry registry, IEnumerable<string> changedIds)
    {
        var current = Current;
        var builder = current.ById.ToBuilder();
        var servers = current.ModelServers.ToBuilder();
        var dependents = current.DependentsById.ToBuilder();
        var attended = current.Attended.ToBuilder();
        Func<string, string> dependency = id => registry.Find(id)?.ComponentId ?? id;
        List<string>? newEdges = null;
        foreach (var id in changedIds)
        {
            // The view replaced (or removed) comes out of the same walk of the tree that puts the new one in.
            ComponentView? before;
            if (registry.Find(id) is { } component)
            {
                component.ShareStrings(_shared, dependency);
                var view = ViewMapper.ToView(component);
                before = builder.Exchange(id, view);
                if (before is not null)
                {
                    Unlink(dependents, id, before.Dependencies);
                }

                Link(dependents, id, view.Dependencies);
                if (view.Dependencies.Count > 0 && (before is null || !before.Dependencies.SequenceEqual(view.Dependencies, StringComparer.Ordinal)))
                {
                    (newEdges ??= []).Add(id);
                }
                if (component.ComponentType == RegistrySnapshot.ModelServerType)
                {
                    servers.Add(id);
                }

                Attend(attended, view);
            }
            else
            {
                if (builder.Remove(id, out before))
                {
                    Unlink(dependents, id, before.Dependencies);
                }

                servers.Remove(id);
                attended.Remove(id);
            }
        }

        var dependentsById = dependents.ToImmutable();

        // Components registered (or given other dependencies) in this commit are searched for a cycle together,
        // once, instead of one search per registration (each registration's answer warns of a cycle through it).
        // Those without dependents are on none, and the search records them so at no cost: a later commit that gives
        // one a dependent, itself without dependents, cannot close a cycle, and a registration answered after it
        // then needs no search of its own. A commit without new dependencies changes nothing known.
        var cycles = newEdges is not null
            ? current.Cycles.After(DependencyGraph.OffCycles(newEdges, id => dependentsById.GetValueOrDefault(id), OffCyclesLimit))
            : current.Cycles;
        Volatile.Write(ref _current, new RegistrySnapshot(builder.ToImmutable(), current.Version + 1, servers.ToImmutable(), dependentsById, attended.ToImmutable(), cycles));
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Replaces the whole projection, as at boot or after the working set was reloaded.</summary>
    public void Reset(IEnumerable<Component> components)
    {
        var builder = RegistrySnapshot.Empty.ById.ToBuilder();
        var servers = RegistrySnapshot.Empty.ModelServers.ToBuilder();
        var dependents = RegistrySnapshot.Empty.DependentsById.ToBuilder();
        var attended = RegistrySnapshot.Empty.Attended.ToBuilder();
        var all = components.ToList();
        var ids = all.Select(c => c.ComponentId).ToHashSet(StringComparer.Ordinal);
        Func<string, string> dependency = id => ids.TryGetValue(id, out var kept) ? kept : id;
        foreach (var component in all)
        {
            component.ShareStrings(_shared, dependency);
            var view = builder[component.ComponentId] = ViewMapper.ToView(component);
            Link(dependents, component.ComponentId, view.Dependencies);
            if (component.ComponentType == RegistrySnapshot.ModelServerType)
            {
                servers.Add(component.ComponentId);
            }

            Attend(attended, view);
        }

        Volatile.Write(ref _current, new RegistrySnapshot(builder.ToImmutable(), Current.Version + 1, servers.ToImmutable(), dependents.ToImmutable(), attended.ToImmutable()));
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private static void Attend(PersistentMap<string, ComponentView>.Builder attended, ComponentView view)
    {
        if (RegistrySnapshot.IsAttended(view))
        {
            attended[view.ComponentId] = view;
        }
        else
        {
            attended.Remove(view.ComponentId);
        }
    }

    private static void Link(PersistentMap<string, DependentSet>.Builder dependents, string id, IReadOnlyList<string> dependencies)
    {
        for (var i = 0; i < dependencies.Count; i++)
        {
            dependents.Change(dependencies[i], id, static (set, id) => set?.Add(id) ?? DependentSet.Of(id));
        }
    }

    private static void Unlink(PersistentMap<string, DependentSet>.Builder dependents, string id, IEnumerable<string> dependencies)
    {
        foreach (var dependency in dependencies)
        {
            // The set answers itself when it does not hold the id, and null when the id was all it held.
            if (dependents.GetValueOrDefault(dependency) is not { } set)
            {
                continue;
            }

            var rest = set.Remove(id);
            if (rest is null)
            {
                dependents.Remove(dependency);
            }
            else if (!ReferenceEquals(rest, set))
            {
                dependents[dependency] = rest;
            }
        }
    }
}
