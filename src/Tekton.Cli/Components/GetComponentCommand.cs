using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Components;

/// <summary><c>tekton components get ID</c>: a component's definition and its instances, newest first.</summary>
internal static class GetComponentCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The component's id" };
        var command = new Command("get", "Show a component's definition and its instances.") { id };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var component = await context.Client.GetComponentAsync(context.Get(id), cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(component);
                return ExitCodes.Ok;
            }

            context.Output.Write(Definition(component));
            context.Output.Line("");
            context.Output.Write(Instances(component.Instances));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Grid Definition(ComponentDetails component)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Row(string name, string? value) => grid.AddRow($"[bold]{name}[/]", Output.Text(value));
        grid.AddRow("[bold]id[/]", Output.Text(component.ComponentId));
        Row("name", component.ComponentName);
        Row("type", component.ComponentType);
        Row("version", component.Version);
        grid.AddRow("[bold]status[/]", Output.State(component.Status));
        Row("address", Formats.Address(component.Host, component.Port));
        Row("health check", component.HealthCheck);
        Row("capabilities", string.Join(", ", component.Capabilities));
        Row("dependencies", string.Join(", ", component.Dependencies));
        Row("heartbeat", $"every {Formats.Number(component.HeartbeatInterval)} s, timeout {Formats.Number(component.HeartbeatTimeout)} s");
        Row("last heartbeat", Formats.Time(component.LastHeartbeat));
        Row("registered", Formats.Time(component.RegisteredAt));
        Row("started", Formats.Time(component.StartupTime));
        Row("uptime", component.Uptime);
        Row("launch", component.Launch is { } launch ? Launch(launch) : "none (the component starts itself)");
        Row("autostart", component.Autostart ? "yes" : "no");
        if (component.Requirements is { } requirements)
        {
            Row("requirements", JsonSerializer.Serialize(requirements, TektonJson.Options));
        }

        if (component.Metadata.Count > 0)
        {
            Row("metadata", JsonSerializer.Serialize(component.Metadata, TektonJson.Options));
        }

        return grid;
    }

    private static Table Instances(IReadOnlyList<InstanceInfo> instances)
    {
        var table = Output.Table("INSTANCE", "STATUS", "CREATED", "PID", "RESTARTS", "EXIT", "REASON");
        foreach (var instance in instances)
        {
            table.AddRow(
                instance.InstanceUuid.ToString(),
                Output.State(instance.Status),
                Formats.Time(instance.CreatedAt),
                Output.Text(instance.Pid?.ToString(CultureInfo.InvariantCulture)),
                instance.RestartCount.ToString(CultureInfo.InvariantCulture),
                Output.Text(instance.ExitCode?.ToString(CultureInfo.InvariantCulture)),
                Output.Text(instance.Reason));
        }

        return table;
    }

    private static string Launch(LaunchSpec launch)
    {
        var words = new[] { launch.Command }.Concat(launch.Args ?? []).Select(Quote);
        return $"{string.Join(' ', words)} (restart {launch.Restart ?? "on-failure"})";
    }

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@+,".Contains(c)) ? word : $"'{word.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
