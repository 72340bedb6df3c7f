namespace Tekton.Application.Lifecycle;

/// <summary>
/// This node: its name, and whether other nodes may share its database (then a registration's launch spec
/// defaults to this node, and a start of another node's component is carried out there).
/// </summary>
public sealed record LocalNode(string Name, bool Clustered)
{
    /// <summary>
    /// A start or stop forwarded here for a component that this node's registry says runs on a third node: the
    /// nodes disagree (a change of <c>launch.node</c> not yet everywhere), and handing it on could bounce forever.
    /// </summary>
    public static Domain.Errors.TektonException NotHere(string componentId, string here, string owner, string action) =>
        new(Domain.Errors.ErrorCode.StartupFailed,
            $"The {action} of component '{componentId}' was forwarded to node '{here}', but this node's registry says it runs on node '{owner}'; the nodes disagree about its launch.node. Retry in a moment.");
}

/// <summary>Carries out a start or a stop on the node that runs the component (with several nodes).</summary>
public interface IRemoteLifecycle
{
    ValueTask<StartComponentResult> StartAsync(string node, StartComponent command, CancellationToken cancellationToken);

    ValueTask<Common.OperationResult> StopAsync(string node, StopComponent command, CancellationToken cancellationToken);
}
