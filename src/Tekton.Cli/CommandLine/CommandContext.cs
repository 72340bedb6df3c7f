using System.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.CommandLine;

/// <summary>
/// One run of one command: its parsed arguments, its output, and the client for the Tekton it talks to. The
/// handler of every command runs through <see cref="RunAsync"/>, which turns whatever it throws into an error
/// message and an exit code.
/// </summary>
internal sealed class CommandContext : IDisposable
{
    private readonly Lazy<TektonClient> _client;

    private CommandContext(ParseResult parse, Output output, Uri tekton)
    {
        Parse = parse;
        Output = output;
        Tekton = tekton;
        _client = new(() => new TektonClient(new TektonClientOptions { BaseAddress = tekton, ApiKey = GlobalOptions.ResolveApiKey(parse) }));
    }

    /// <summary>The parsed command line.</summary>
    public ParseResult Parse { get; }

    /// <summary>Where results, notes and errors go.</summary>
    public Output Output { get; }

    /// <summary>Machine output was asked for (<c>--json</c>).</summary>
    public bool Json => Output.Json;

    /// <summary>Tekton's address.</summary>
    public Uri Tekton { get; }

    /// <summary>The client, created on first use with the address and key of the global options.</summary>
    public TektonClient Client => _client.Value;

    /// <summary>The value of an option.</summary>
    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    /// <summary>The value of an argument.</summary>
    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    /// <summary>Runs a command's handler and returns its exit code, or the exit code of what it threw.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<CommandContext, CancellationToken, Task<int>> handler, CancellationToken cancellationToken)
    {
        var output = Output.ForProcess(parse.GetValue(GlobalOptions.Json));
        var tekton = new Uri(GlobalOptions.DefaultUrl);
        try
        {
            tekton = GlobalOptions.ResolveUrl(parse);
            using var context = new CommandContext(parse, output, tekton);
            return await handler(context, cancellationToken);
        }
        catch (Exception exception)
        {
            var failure = Failure.From(exception, tekton, cancellationToken.IsCancellationRequested);
            Report(output, failure);
            return failure.ExitCode;
        }
    }

    /// <summary>Writes a failure to stderr: problem JSON with <c>--json</c>, else <c>error: …</c> lines.</summary>
    public static void Report(Output output, Failure failure)
    {
        if (output.Json)
        {
            output.Error([failure.ToJson()]);
        }
        else
        {
            output.Error(failure.Lines());
        }
    }
}

/// <summary>Connects a command to its handler.</summary>
internal static class CommandHandlers
{
    /// <summary>Runs <paramref name="handler"/> through <see cref="CommandContext.RunAsync"/> when the command is invoked.</summary>
    public static void SetHandler(this Command command, Func<CommandContext, CancellationToken, Task<int>> handler) =>
        command.SetAction((parse, cancellationToken) => CommandContext.RunAsync(parse, handler, cancellationToken));
}
