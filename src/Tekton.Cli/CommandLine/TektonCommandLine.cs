using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using Tekton.Cli.Components;
using Tekton.Cli.Dependencies;
using Tekton.Cli.Events;
using Tekton.Cli.Models;
using Tekton.Cli.Resources;
using Tekton.Cli.Security;
using Tekton.Cli.Service;

namespace Tekton.Cli.CommandLine;

/// <summary>The command tree of <c>tekton</c>, and how one run goes from arguments to an exit code.</summary>
internal static class TektonCommandLine
{
    /// <summary>Every command, in the order help lists them.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("tekton: the command line of the Tekton control plane.")
        {
            ComponentsCommand.Create(),
            GraphCommand.Create(),
            ResourcesCommand.Create(),
            ModelsCommand.Create(),
            RouteCommand.Create(),
            WatchCommand.Create(),
            KeysCommand.Create(),
            TokenCommand.Create(),
            VersionCommand.Create(),
        };
        GlobalOptions.AddTo(root);
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command. Ctrl+C and SIGTERM cancel the command's token (a
    /// second Ctrl+C ends the process at once); bad arguments exit with 2 before anything is sent.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        void Interrupt(PosixSignalContext signal)
        {
            if (!interrupt.IsCancellationRequested)
            {
                signal.Cancel = true;
                interrupt.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        var json = args.Contains(GlobalOptions.Json.Name);
        try
        {
            var parse = Create().Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                return ReportUsageErrors(parse, Output.ForProcess(json));
            }

            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parse.InvokeAsync(invocation, interrupt.Token);
        }
        catch (Exception exception)
        {
            // Handlers report their own failures; this catches what escapes parsing and help.
            var failure = Failure.From(exception, new Uri(GlobalOptions.DefaultUrl), interrupt.IsCancellationRequested);
            CommandContext.Report(Output.ForProcess(json), failure);
            return failure.ExitCode;
        }
    }

    private static int ReportUsageErrors(ParseResult parse, Output output)
    {
        var messages = parse.Errors.Select(error => error.Message).Distinct().ToList();
        if (output.Json)
        {
            CommandContext.Report(output, new Failure(ExitCodes.Usage, string.Join(" ", messages)));
        }
        else
        {
            output.Error([.. messages.Select(message => $"error: {message}"), $"Run '{CommandPath(parse.CommandResult)} --help' for usage."]);
        }

        return ExitCodes.Usage;
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult current; result = current.Parent)
        {
            names.Insert(0, current.Command.Name);
        }

        return string.Join(' ', names);
    }
}
