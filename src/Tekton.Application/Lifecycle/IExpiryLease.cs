namespace Tekton.Application.Lifecycle;

/// <summary>
/// Whether this node runs heartbeat expiry now. One node alone always does; nodes sharing a database take turns
/// through a lease row (Infrastructure's <c>ExpiryLease</c>), so that one instance is never marked missed twice.
/// </summary>
public interface IExpiryLease
{
    bool Held { get; }
}

/// <summary>One node: it always holds the lease.</summary>
internal sealed class SingleNodeLease : IExpiryLease
{
    public bool Held => true;
}
