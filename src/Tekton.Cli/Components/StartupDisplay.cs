using Spectre.Console;
using Spectre.Console.Rendering;
using Tekton.Cli.CommandLine;

namespace Tekton.Cli.Components;

/// <summary>
/// Shows a start's progress while <c>follow</c> runs; <c>follow</c> calls back with the id of each component
/// whose state changed.
/// </summary>
internal interface IStartupDisplay
{
    Task ShowAsync(StartupProgress progress, Func<Action<string>, Task> follow);
}

/// <summary>One line per state, <c>hermes: ready</c>: for pipes, CI logs and tests.</summary>
internal sealed class PlainStartupDisplay(Output output) : IStartupDisplay
{
    public async Task ShowAsync(StartupProgress progress, Func<Action<string>, Task> follow)
    {
        output.Line($"start order: {string.Join(", ", progress.Components)}");
        foreach (var id in progress.Components)
        {
            output.Line($"{id}: {progress.StateOf(id) ?? "unknown"}");
        }

        await follow(id => output.Line($"{id}: {progress.StateOf(id)}"));
    }
}

/// <summary>A table redrawn in place on a terminal, one row per involved component.</summary>
internal sealed class LiveStartupDisplay(Output output) : IStartupDisplay
{
    public Task ShowAsync(StartupProgress progress, Func<Action<string>, Task> follow) =>
        output.Console.Live(Render(progress)).AutoClear(false).StartAsync(live => follow(_ =>
        {
            live.UpdateTarget(Render(progress));
            live.Refresh();
        }));

    private static IRenderable Render(StartupProgress progress)
    {
        var table = Output.Table("COMPONENT", "STATE");
        foreach (var id in progress.Components)
        {
            var name = id == progress.Target ? $"[bold]{Markup.Escape(id)}[/]" : Markup.Escape(id);
            table.AddRow(name, Output.State(progress.StateOf(id) ?? "unknown"));
        }

        return table;
    }
}
