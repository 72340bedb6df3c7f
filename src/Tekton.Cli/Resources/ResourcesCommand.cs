using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Resources;

/// <summary><c>tekton resources</c>: CPU, memory, disk and GPUs of Tekton's machine, as its sampler last saw them.</summary>
internal static class ResourcesCommand
{
    public static Command Create()
    {
        var command = new Command("resources", "Show CPU, memory, disk and GPUs of Tekton's machine.");
        command.SetHandler(async (context, cancellationToken) =>
        {
            var resources = await context.Client.GetSystemResourcesAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(resources);
                return ExitCodes.Ok;
            }

            context.Output.Write(Machine(resources));
            context.Output.Line("");
            if (resources.Gpu.Count == 0)
            {
                context.Output.Line("gpu: none");
            }
            else
            {
                context.Output.Write(Gpus(resources.Gpu));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Grid Machine(SystemResources resources)
    {
        var cpu = resources.Cpu;
        var memory = resources.Memory;
        var disk = resources.Disk;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        var load = cpu.LoadAverage is { } averages ? string.Join(" ", averages.Select(a => Formats.Number(a))) : "-";
        grid.AddRow("[bold]cpu[/]", Markup.Escape(
            $"{Formats.Number(cpu.OverallPercent, "%")} of {cpu.Cores.ToString(CultureInfo.InvariantCulture)} cores, load {load}"));
        grid.AddRow("[bold]memory[/]", Markup.Escape(
            $"{Formats.Number(memory.Used)} of {Formats.Number(memory.Total, " GiB")} used ({Formats.Number(memory.Percent, "%")}), {Formats.Number(memory.Free, " GiB")} free"));
        grid.AddRow("[bold]swap[/]", Markup.Escape($"{Formats.Number(memory.SwapUsed)} of {Formats.Number(memory.SwapTotal, " GiB")} used"));
        grid.AddRow("[bold]disk[/]", Markup.Escape(
            $"{Formats.Number(disk.Used)} of {Formats.Number(disk.Total, " GiB")} used ({Formats.Number(disk.Percent, "%")}), {Formats.Number(disk.Free, " GiB")} free"));
        grid.AddRow("[bold]sampled[/]", Formats.Time(resources.Timestamp));
        return grid;
    }

    private static Table Gpus(IReadOnlyList<GpuResources> gpus)
    {
        var table = Output.Table("GPU", "NAME", "UTIL", "MEMORY USED", "MEMORY TOTAL", "TEMPERATURE");
        foreach (var gpu in gpus)
        {
            table.AddRow(
                gpu.Id.ToString(CultureInfo.InvariantCulture),
                Output.Text(gpu.Name),
                Formats.Number(gpu.Util, "%"),
                Formats.Number(gpu.MemoryUsed, " GiB"),
                Formats.Number(gpu.MemoryTotal, " GiB"),
                Formats.Number(gpu.Temperature, " °C"));
        }

        return table;
    }
}
