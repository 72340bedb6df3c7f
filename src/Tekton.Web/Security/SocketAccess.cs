using Tekton.Application.Events;
using Tekton.Domain.Security;

namespace Tekton.Web.Security;

/// <summary>
/// The role table for the event sockets' actions, per channel: each action a channel handles is listed with its
/// row, and an action that is not listed is refused before it is dispatched, so a new one cannot be reached
/// (with only the connection's Read gate) before it is given a rule.
/// </summary>
public static class SocketAccess
{
    public static readonly IReadOnlyDictionary<EventChannel, IReadOnlyDictionary<string, Permission>> Actions =
        new Dictionary<EventChannel, IReadOnlyDictionary<string, Permission>>
        {
            [EventChannel.Heartbeat] = new Dictionary<string, Permission>(StringComparer.Ordinal)
            {
                ["subscribe"] = Permission.Read,
                ["unsubscribe"] = Permission.Read,
                ["heartbeat"] = Permission.ActAsComponent,
            },
            [EventChannel.State] = new Dictionary<string, Permission>(StringComparer.Ordinal)
            {
                ["subscribe"] = Permission.Read,
                ["unsubscribe"] = Permission.Read,
            },
        };

    /// <summary>
    /// Whether <paramref name="caller"/> may take <paramref name="action"/> on <paramref name="channel"/>, and if not,
    /// why in words. <paramref name="componentId"/> is the component the message names (a Component key may act only as its own).
    /// </summary>
    public static (bool Allowed, string? Detail) Decide(Caller caller, EventChannel channel, string action, string? componentId)
    {
        if (!Actions.TryGetValue(channel, out var actions) || !actions.TryGetValue(action, out var permission))
        {
            return (false, $"The {caller.Role.WireName()} role may not {action} on this channel: the action has no rule.");
        }

        var target = permission == Permission.ActAsComponent ? componentId : null;
        var decision = caller.Decide(permission, target);
        return decision == AccessDecision.Allowed ? (true, null) : (false, caller.Explain(decision, permission, target));
    }
}
