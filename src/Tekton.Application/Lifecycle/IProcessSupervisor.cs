using Tekton.Domain.Components;

namespace Tekton.Application.Lifecycle;

/// <summary>What to launch for one instance.</summary>
public sealed record LaunchRequest(string ComponentId, Guid InstanceUuid, LaunchSpec Launch, IReadOnlyDictionary<string, string> Environment);

/// <summary>A launched process: its pid and its start time in clock ticks since boot, which together name it.</summary>
public sealed record LaunchedProcess(int Pid, long StartTicks);

/// <summary>Operating-system processes of supervised instances (design §6.3), implemented by Infrastructure.</summary>
public interface IProcessSupervisor
{
    /// <summary>The executable the launch spec names, resolved against PATH and the working directory, or null when there is none.</summary>
    string? FindExecutable(LaunchSpec launch);

    /// <summary>Starts the process in a process group of its own, its output appended to the instance's log file. Throws 1004 when it cannot start.</summary>
    LaunchedProcess Launch(LaunchRequest request);

    /// <summary>Takes over a process left by an earlier run; false when that pid is no longer the same process.</summary>
    bool Adopt(Guid instanceUuid, int pid, long startTicks);

    /// <summary>Completes when the instance's process has ended, with its exit code (null when unknown, as for an adopted process).</summary>
    Task<int?> WaitForExitAsync(Guid instanceUuid, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the instance's whole process group: SIGTERM, then SIGKILL for whatever is left after <paramref name="grace"/>
    /// (at once when <paramref name="force"/>). Completes when the group is gone.
    /// </summary>
    Task TerminateAsync(Guid instanceUuid, TimeSpan grace, bool force, CancellationToken cancellationToken);

    /// <summary>Whether Tekton holds a running process for the instance.</summary>
    bool IsRunning(Guid instanceUuid);

    /// <summary>Ends every supervised process group at once (used at shutdown when configured).</summary>
    Task TerminateAllAsync(TimeSpan grace);
}

/// <summary>The last lines a supervised instance wrote to stdout and stderr.</summary>
public interface IInstanceLogs
{
    IReadOnlyList<string> Tail(string componentId, Guid instanceUuid, int lines);
}

/// <summary>The answer of one health check.</summary>
public sealed record HealthProbeResult(bool Healthy, IReadOnlyDictionary<string, string> Fields, string? Error);

/// <summary>Calls a component's health endpoint: <c>GET http://{host}:{port}{path}</c>.</summary>
public interface IHealthProbe
{
    Task<HealthProbeResult> ProbeAsync(string host, int port, string path, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Where Tekton itself answers, for the TEKTON_URL of launched processes.</summary>
public interface ITektonAddress
{
    string Url { get; }
}

/// <summary>A fixed address (<c>Tekton:Url</c>); the web host replaces it with the address it actually listens on.</summary>
public sealed record ConfiguredTektonAddress(string Url) : ITektonAddress;
