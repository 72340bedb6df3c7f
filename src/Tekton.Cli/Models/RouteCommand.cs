using System.CommandLine;
using Spectre.Console;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Models;

/// <summary><c>tekton route TASK_TYPE</c>: which model Tekton chooses for a task, and the fallbacks.</summary>
internal static class RouteCommand
{
    public static Command Create()
    {
        var taskType = new Argument<string>("task-type") { Description = "The capability the task needs, such as code_generation" };
        var complexity = new Option<string?>("--complexity") { Description = "low, medium or high: tiers 1, 2, 3 (default medium)" }.AcceptOnlyFromAmong("low", "medium", "high");
        var contextLength = new Option<long?>("--context-length") { Description = "Tokens the model must take" };
        var capabilities = new Option<string[]>("--capability") { Description = "A capability needed besides the task type; repeat for more" };
        var minTier = new Option<int?>("--min-tier") { Description = "The lowest tier allowed, 1-3" };
        var noFallback = new Option<bool>("--no-fallback") { Description = "Never choose a lower tier than the complexity's" };
        var command = new Command("route", "Choose the model for a task, as Tekton's router does.") { taskType, complexity, contextLength, capabilities, minTier, noFallback };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var needed = context.Get(capabilities) ?? [];
            var request = new RouteRequest
            {
                TaskType = context.Get(taskType),
                Complexity = context.Get(complexity),
                ContextLength = context.Get(contextLength),
                Requirements = needed.Length > 0 || context.Get(minTier) is not null
                    ? new RouteRequirements { Capabilities = needed.Length > 0 ? needed : null, MinTier = context.Get(minTier) }
                    : null,
                Fallback = context.Get(noFallback) ? false : null,
            };
            var route = await context.Client.RouteTaskAsync(request, cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(route);
                return ExitCodes.Ok;
            }

            var criteria = route.SelectionCriteria;
            var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
            grid.AddRow("[bold]model[/]", $"[green]{Markup.Escape(route.SelectedModel)}[/]");
            grid.AddRow("[bold]provider[/]", Output.Text(route.Provider));
            grid.AddRow("[bold]endpoint[/]", Output.Text(route.Endpoint));
            grid.AddRow("[bold]fallbacks[/]", Output.Text(string.Join(", ", route.FallbackModels)));
            grid.AddRow("[bold]criteria[/]", Markup.Escape(
                $"complexity {Met(criteria.ComplexityMatch)}, context window {Met(criteria.ContextWindowSufficient)}, " +
                $"capabilities {Met(criteria.CapabilityMatch)}, tier {Met(criteria.TierMatch)}"));
            context.Output.Write(grid);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Met(bool met) => met ? "met" : "not met";
}
