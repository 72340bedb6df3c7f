using System.CommandLine;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Components;

/// <summary><c>tekton components stop ID</c>: stops a component's instances and answers once they are stopped.</summary>
internal static class StopComponentCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The component to stop" };
        var force = new Option<bool>("--force") { Description = "Kill at once (SIGKILL), and stop even though dependents run" };
        var cascade = new Option<bool>("--cascade") { Description = "Stop the running dependents first, in reverse startup order" };
        var timeout = SecondsOption.Create("--timeout", "Seconds (0-3600) between SIGTERM and SIGKILL (default: the launch spec's stop_timeout, else 30)");
        var instance = new Option<Guid?>("--instance") { Description = "Stop only this instance (its UUID)" };
        var command = new Command("stop", "Stop a component's instances.") { id, force, cascade, timeout, instance };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var componentId = context.Get(id);
            var options = new StopOptions
            {
                Force = context.Get(force) ? true : null,
                Cascade = context.Get(cascade) ? true : null,
                Timeout = context.Get(timeout),
                InstanceUuid = context.Get(instance),
            };
            var result = await context.Client.StopComponentAsync(componentId, options, cancellationToken);
            context.Output.Result(result, $"{componentId}: {result.Message}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
