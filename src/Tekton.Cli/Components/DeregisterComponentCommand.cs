using System.CommandLine;
using Tekton.Cli.CommandLine;

namespace Tekton.Cli.Components;

/// <summary><c>tekton components deregister ID</c>: stops a component and removes it with its instances.</summary>
internal static class DeregisterComponentCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The component to remove" };
        var command = new Command("deregister", "Stop a component and remove it from the registry.") { id };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var componentId = context.Get(id);
            var result = await context.Client.DeregisterComponentAsync(componentId, cancellationToken);
            context.Output.Result(result, $"{componentId}: {result.Message}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
