namespace Tekton.Application.Lifecycle;

/// <summary>
/// This node: its name, and whether other nodes may share its database (then a registration's launch spec
/// defaults to this node, and a start of another node's component is carried out there).
/// </summary>
public sealed record LocalNode(string Name, bool Clustered);

/// <summary>Carries out a start or a stop on the node that runs the component (with several nodes).</summary>
public interface IRemoteLifecycle
{
    ValueTask<StartComponentResult> StartAsync(string node, StartComponent command, CancellationToken cancellationToken);

    ValueTask<Common.OperationResult> StopAsync(string node, StopComponent command, CancellationToken cancellationToken);
}
