using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Models;

/// <summary><c>tekton models</c>: the model catalog, filtered by capability, provider or status.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var capability = new Option<string?>("--capability") { Description = "Only models that declare this capability" };
        var provider = new Option<string?>("--provider") { Description = "Only models of this provider" };
        var status = new Option<string?>("--status") { Description = "Only available or unavailable models" }.AcceptOnlyFromAmong("available", "unavailable");
        var command = new Command("models", "List the model catalog, ordered by id.") { capability, provider, status };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var models = await context.Client.ListModelsAsync(context.Get(capability), context.Get(provider), context.Get(status), cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new ModelList(models));
                return ExitCodes.Ok;
            }

            if (models.Count == 0)
            {
                context.Output.Note("no models match");
                return ExitCodes.Ok;
            }

            var table = Output.Table("ID", "PROVIDER", "TIER", "CONTEXT", "STATUS", "CAPABILITIES", "SOURCE");
            foreach (var model in models)
            {
                table.AddRow(
                    Output.Text(model.Id),
                    Output.Text(model.Provider),
                    model.Tier.ToString(CultureInfo.InvariantCulture),
                    model.ContextWindow.ToString(CultureInfo.InvariantCulture),
                    Output.State(model.Status),
                    Output.Text(string.Join(", ", model.Capabilities)),
                    Output.Text(model.Source));
            }

            context.Output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The body of <c>GET /api/tekton/models</c>.</summary>
    private sealed record ModelList(IReadOnlyList<ModelInfo> Models);
}
