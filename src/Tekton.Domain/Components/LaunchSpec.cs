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
}
