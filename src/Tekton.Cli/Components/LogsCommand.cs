using System.CommandLine;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Components;

/// <summary>
/// <c>tekton components logs ID [--tail N] [-f]</c>: the last lines an instance's process wrote; with
/// <c>--follow</c>, it polls every second and prints the lines that are new (<see cref="LogFollower"/>) until
/// Ctrl+C.
/// </summary>
internal static class LogsCommand
{
    private const int DefaultTail = 200;

    // Polling a larger window than is printed makes it less likely that a burst outruns the window between polls.
    private const int FollowWindow = 1000;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The component" };
        var tail = new Option<int?>("--tail") { Description = $"How many of the last lines to show, 1-10000 (default {DefaultTail})" };
        var instance = new Option<Guid?>("--instance") { Description = "Which instance (default: the component's current one)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines, polled every second, until Ctrl+C" };
        var command = new Command("logs", "Print the last lines a component's process wrote to stdout and stderr.") { id, tail, instance, follow };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var componentId = context.Get(id);
            var lines = context.Get(tail);
            var instanceUuid = context.Get(instance);
            if (!context.Get(follow))
            {
                var logs = await context.Client.GetComponentLogsAsync(componentId, lines, instanceUuid, cancellationToken);
                if (context.Json)
                {
                    context.Output.WriteJson(logs);
                    return ExitCodes.Ok;
                }

                foreach (var line in logs.Lines)
                {
                    context.Output.Line(line);
                }

                return ExitCodes.Ok;
            }

            return await FollowAsync(context, componentId, lines ?? DefaultTail, instanceUuid, cancellationToken);
        });
        return command;
    }

    private static async Task<int> FollowAsync(CommandContext context, string componentId, int tail, Guid? instanceUuid, CancellationToken cancellationToken)
    {
        var follower = new LogFollower();
        var window = Math.Max(tail, FollowWindow);
        try
        {
            var first = await context.Client.GetComponentLogsAsync(componentId, window, instanceUuid, cancellationToken);
            var seen = follower.Next(first.InstanceUuid, first.Lines);
            Print(context, seen.Skip(Math.Max(0, seen.Count - tail)), first);
            using var timer = new PeriodicTimer(PollInterval);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var logs = await context.Client.GetComponentLogsAsync(componentId, window, instanceUuid, cancellationToken);
                if (logs.InstanceUuid != follower.Instance && !context.Json)
                {
                    context.Output.Note($"-- instance {logs.InstanceUuid} --");
                }

                Print(context, follower.Next(logs.InstanceUuid, logs.Lines), logs);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a follow ends.
        }

        return ExitCodes.Ok;
    }

    private static void Print(CommandContext context, IEnumerable<string> lines, ComponentLogs logs)
    {
        foreach (var line in lines)
        {
            if (context.Json)
            {
                context.Output.WriteJsonLine(new LogLine(logs.ComponentId, logs.InstanceUuid, line));
            }
            else
            {
                context.Output.Line(line);
            }
        }
    }

    /// <summary>One followed line in <c>--json</c> output.</summary>
    private sealed record LogLine(string ComponentId, Guid? InstanceUuid, string Line);
}
