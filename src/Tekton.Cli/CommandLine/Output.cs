using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using Tekton.Client;

namespace Tekton.Cli.CommandLine;

/// <summary>
/// Where a command writes: results to stdout (Spectre tables and trees for people, the API's JSON with
/// <c>--json</c>), notes, warnings and errors to stderr. Colors, styles and cursor movement only reach a
/// terminal: when stdout is redirected, or <c>NO_COLOR</c> is set, the text is plain. Every line is flushed as
/// it is written, so a reader at the other end of a pipe sees it at once.
/// </summary>
internal sealed class Output
{
    // TektonJson's conventions, times in UTC as the API writes them, and no \u escapes: this JSON is read in
    // terminals and pipes, never in HTML.
    internal static readonly JsonSerializerOptions CompactJson = new(TektonJson.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new UtcTimestampConverter() },
    };

    private static readonly JsonSerializerOptions IndentedJson = new(CompactJson) { WriteIndented = true };

    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly Lock _writing = new();

    public Output(bool json, TextWriter stdout, TextWriter stderr, bool stdoutIsTerminal, bool noColor)
    {
        Json = json;
        _out = stdout;
        _error = stderr;
        CanRedraw = stdoutIsTerminal && !noColor;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = CanRedraw ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = CanRedraw ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = CanRedraw ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
    }

    /// <summary>Machine output: JSON only, no colors, no tables.</summary>
    public bool Json { get; }

    /// <summary>Stdout is a terminal that takes colors and cursor movement, so live displays may redraw it.</summary>
    public bool CanRedraw { get; }

    /// <summary>The Spectre console on stdout, for tables, trees and live displays.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>The process's own output: stdout a terminal or not, <c>NO_COLOR</c> set or not.</summary>
    public static Output ForProcess(bool json) => new(
        json,
        System.Console.Out,
        System.Console.Error,
        stdoutIsTerminal: !System.Console.IsOutputRedirected,
        noColor: Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 });

    /// <summary>Writes a line of plain text to stdout.</summary>
    public void Line(string text)
    {
        lock (_writing)
        {
            _out.WriteLine(text);
            _out.Flush();
        }
    }

    /// <summary>Writes a table, tree or other renderable to stdout; plain text has no padding at the ends of its lines.</summary>
    public void Write(IRenderable renderable)
    {
        if (CanRedraw)
        {
            lock (_writing)
            {
                Console.Write(renderable);
                _out.Flush();
            }

            return;
        }

        using var text = new StringWriter();
        var plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });

        // A pipe has no width: keep each row of a table on one line for grep and awk.
        plain.Profile.Width = 1000;
        plain.Write(renderable);
        Line(string.Join('\n', text.ToString().TrimEnd().Split('\n').Select(line => line.TrimEnd())));
    }

    /// <summary>Writes <paramref name="value"/> as indented JSON in the API's shape.</summary>
    public void WriteJson<T>(T value) => Line(JsonSerializer.Serialize(value, IndentedJson));

    /// <summary>The result of a command that answers with one line: <paramref name="value"/> as JSON with <c>--json</c>, else <paramref name="text"/>.</summary>
    public void Result<T>(T value, string text)
    {
        if (Json)
        {
            WriteJson(value);
        }
        else
        {
            Line(text);
        }
    }

    /// <summary>Writes <paramref name="value"/> as snake_case JSON on one line, for streams of records.</summary>
    public void WriteJsonLine<T>(T value) => Line(JsonSerializer.Serialize(value, CompactJson));

    /// <summary>Writes a JSON document on one line exactly as it was received.</summary>
    public void WriteRawJsonLine(JsonElement element) => Line(element.GetRawText());

    /// <summary>Writes a note for the person at the terminal to stderr: never part of the result.</summary>
    public void Note(string text)
    {
        lock (_writing)
        {
            _error.WriteLine(text);
            _error.Flush();
        }
    }

    /// <summary>Writes <c>warning: …</c> to stderr.</summary>
    public void Warning(string text) => Note("warning: " + text);

    /// <summary>Writes an error's lines to stderr.</summary>
    public void Error(IEnumerable<string> lines)
    {
        lock (_writing)
        {
            foreach (var line in lines)
            {
                _error.WriteLine(line);
            }

            _error.Flush();
        }
    }

    /// <summary>A table in the CLI's style: no borders, a header row, columns kept on one line.</summary>
    public static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.None).ShowHeaders();
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(header)}[/]").NoWrap().PadLeft(0).PadRight(2));
        }

        return table;
    }

    /// <summary>Text for markup, escaped; <c>-</c> for nothing.</summary>
    public static string Text(string? value) => string.IsNullOrEmpty(value) ? "-" : Markup.Escape(value);

    /// <summary>A component or instance state, colored by what it means.</summary>
    public static string State(string? state) => state switch
    {
        ComponentStates.Ready or "available" => $"[green]{Text(state)}[/]",
        ComponentStates.Degraded or ComponentStates.Initializing or ComponentStates.Stopping => $"[yellow]{Text(state)}[/]",
        ComponentStates.Failed or "unavailable" => $"[red]{Text(state)}[/]",
        _ => Text(state),
    };
}
