using System.CommandLine;
using Tekton.Cli.CommandLine;

namespace Tekton.Cli.Dependencies;

/// <summary><c>tekton graph [--format tree|dot|mermaid]</c>: the dependency graph.</summary>
internal static class GraphCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = "tree (startup order, for people), dot (Graphviz) or mermaid; --json prints the API's JSON instead",
            DefaultValueFactory = _ => "tree",
        }.AcceptOnlyFromAmong("tree", "dot", "mermaid");
        var command = new Command("graph", "Show the dependency graph in startup order, with cycles and missing dependencies.") { format };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var graph = await context.Client.GetDependencyGraphAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(graph);
                return ExitCodes.Ok;
            }

            switch (context.Get(format))
            {
                case "dot":
                    context.Output.Line(GraphFormats.Dot(graph));
                    break;
                case "mermaid":
                    context.Output.Line(GraphFormats.Mermaid(graph));
                    break;
                default:
                    if (graph.Dependencies.Count == 0)
                    {
                        context.Output.Note("no components registered");
                    }
                    else
                    {
                        context.Output.Write(GraphFormats.Tree(graph));
                    }

                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
