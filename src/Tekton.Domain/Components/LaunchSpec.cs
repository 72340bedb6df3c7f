namespace Tekton.Domain.Components;

/// <summary>When a supervised process that ended is started again (design §6.3).</summary>
public enum RestartPolicy
{
    No,
    OnFailure,
    Always,
}

/// <summary>How Tekton starts a component as a supervised process (design §6.3). Times are in seconds.</summary>
public sealed record LaunchSpec
{
    public required string Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public RestartPolicy Restart { get; init; } = RestartPolicy.OnFailure;

    public int MaxRestarts { get; init; } = 5;

    public double RestartWindow { get; init; } = 60;

    public double StartupTimeout { get; init; } = 60;

    public double StopTimeout { get; init; } = 30;

    /// <summary>
    /// The node that runs the process, among several sharing a database (design §12); null on one node alone,
    /// where the one node runs every process.
    /// </summary>
    public string? Node { get; init; }

    /// <summary>Whether the node named <paramref name="node"/> runs this process.</summary>
    public bool RunsOn(string node) => Node is null || string.Equals(Node, node, StringComparison.Ordinal);
}
