using Microsoft.AspNetCore.SignalR;
using Tekton.Application.Events;
using Tekton.Application.Security;
using Tekton.Domain.Errors;
using Tekton.Web.Security;

namespace Tekton.Web.Events;

/// <summary>
/// The SignalR hub at <c>/hubs/tekton</c> (design §10): the same events as the sockets, through the client
/// methods <c>heartbeat</c> and <c>state_change</c> with the same JSON payloads, and <c>resync_required</c>
/// when a replay cannot reach back far enough. Hub methods take no optional parameters (SignalR binds by
/// position), so the forms with a replay point or component ids are methods of their own. Each method returns
/// the acknowledgement the sockets send as <c>subscribed</c> / <c>unsubscribed</c>. Delivery goes through
/// <see cref="HubSubscriptions"/> and <c>IHubContext</c>, so a backplane can be added without changing the hub.
/// </summary>
public sealed class TektonHub(HubSubscriptions subscriptions, ApiKeys keys) : Hub
{
    public const string Path = "/hubs/tekton";

    private static readonly object RevocationItem = new();

    public override async Task OnConnectedAsync()
    {
        if (!subscriptions.Open(Context))
        {
            Context.Abort();
            return;
        }

        // A connection made with a key (or a token of it) ends when the key is revoked, as its requests do.
        if (Context.User is { } user && Caller.From(user)?.KeyId is { } keyId)
        {
            Context.Items[RevocationItem] = keys.RevocationOf(keyId).Register(static context => ((HubCallerContext)context!).Abort(), Context);
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(RevocationItem, out var registration) && registration is CancellationTokenRegistration revocation)
        {
            revocation.Dispose();
        }

        subscriptions.Close(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>Heartbeats of one component, or of all with "all".</summary>
    public SubscriptionNotice SubscribeHeartbeats(string componentId) => SubscribeHeartbeatsSince(componentId, null);

    /// <summary>As <see cref="SubscribeHeartbeats"/>, replaying the retained heartbeats after <paramref name="sinceSequence"/> first.</summary>
    public SubscriptionNotice SubscribeHeartbeatsSince(string componentId, long? sinceSequence)
    {
        var (filter, error) = SubscriptionRules.Heartbeats(componentId);
        Check(error ?? SubscriptionRules.Since(sinceSequence));
        return subscriptions.Subscribe(Context.ConnectionId, filter!, sinceSequence) with { ComponentId = componentId };
    }

    public SubscriptionNotice UnsubscribeHeartbeats(string componentId)
    {
        var (filter, error) = SubscriptionRules.Heartbeats(componentId);
        Check(error);
        return subscriptions.Unsubscribe(Context.ConnectionId, f => f.Equals(filter)) with { ComponentId = componentId };
    }

    /// <summary>State changes of components of these types, or of all with ["all"].</summary>
    public SubscriptionNotice SubscribeStateChanges(string[] componentTypes) => SubscribeStateChangesFor(componentTypes, null, null);

    /// <summary>As <see cref="SubscribeStateChanges"/>, optionally narrowed to some component ids and replaying after a sequence.</summary>
    public SubscriptionNotice SubscribeStateChangesFor(string[] componentTypes, string[]? componentIds, long? sinceSequence)
    {
        var (filter, error) = SubscriptionRules.States(componentTypes, componentIds);
        Check(error ?? SubscriptionRules.Since(sinceSequence));
        return subscriptions.Subscribe(Context.ConnectionId, filter!, sinceSequence) with { ComponentTypes = componentTypes, ComponentIds = componentIds };
    }

    /// <summary>Removes the state subscriptions with exactly these types (whatever their ids).</summary>
    public SubscriptionNotice UnsubscribeStateChanges(string[] componentTypes)
    {
        var (filter, error) = SubscriptionRules.States(componentTypes, null);
        Check(error);
        return subscriptions.Unsubscribe(Context.ConnectionId, f => f is StateFilter state && state.ComponentTypes.SetEquals(filter!.ComponentTypes))
            with { ComponentTypes = componentTypes };
    }

    private static void Check(string? error)
    {
        if (error is not null)
        {
            throw new HubException($"[{(int)ErrorCode.GeneralError}] {error}");
        }
    }
}
