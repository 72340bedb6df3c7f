using System.CommandLine;
using Spectre.Console;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Components;

/// <summary><c>tekton components list</c>: the registered components, filtered by status, type or capability.</summary>
internal static class ListComponentsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "Only components in this state" }.AcceptOnlyFromAmong(ComponentsCommand.States);
        var type = new Option<string?>("--type") { Description = "Only components of this component_type" };
        var capability = new Option<string?>("--capability") { Description = "Only components that offer this capability" };
        var command = new Command("list", "List the registered components in registration order.") { status, type, capability };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var components = await context.Client.ListComponentsAsync(context.Get(status), context.Get(type), context.Get(capability), cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new ComponentList(components));
                return ExitCodes.Ok;
            }

            if (components.Count == 0)
            {
                context.Output.Note("no components match");
                return ExitCodes.Ok;
            }

            var now = DateTimeOffset.UtcNow;
            var table = Output.Table("ID", "TYPE", "VERSION", "STATUS", "ADDRESS", "LAST HEARTBEAT");
            foreach (var component in components)
            {
                table.AddRow(
                    Output.Text(component.ComponentId),
                    Output.Text(component.ComponentType),
                    Output.Text(component.Version),
                    Output.State(component.Status),
                    Output.Text(Formats.Address(component.Host, component.Port)),
                    Formats.Age(component.LastHeartbeat, now));
            }

            context.Output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The body of <c>GET /api/tekton/components</c>.</summary>
    private sealed record ComponentList(IReadOnlyList<ComponentSummary> Components);
}
