using System.CommandLine;

namespace Tekton.Cli.Components;

/// <summary><c>tekton components …</c>: the registry and the lifecycle of components.</summary>
internal static class ComponentsCommand
{
    /// <summary>The states a component's status can take, for the choices of <c>--status</c>.</summary>
    public static readonly string[] States = ["registered", "initializing", "ready", "degraded", "stopping", "stopped", "failed"];

    public static Command Create() => new("components", "Register, inspect, start, stop and read the logs of components.")
    {
        ListComponentsCommand.Create(),
        GetComponentCommand.Create(),
        RegisterComponentCommand.Create(),
        StartComponentCommand.Create(),
        StopComponentCommand.Create(),
        DeregisterComponentCommand.Create(),
        LogsCommand.Create(),
    };
}
