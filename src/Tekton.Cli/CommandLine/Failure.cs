using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tekton.Client;

namespace Tekton.Cli.CommandLine;

/// <summary>
/// What went wrong, for the user: the one place an exception becomes an exit code and the lines on stderr
/// (<c>error: &lt;message&gt; (code N)</c>, or the problem JSON with <c>--json</c>). No stack trace reaches
/// the user.
/// </summary>
internal sealed record Failure(int ExitCode, string Message, int? Code = null, JsonElement? Problem = null)
{
    private static readonly HashSet<string> StandardMembers = ["type", "title", "status", "detail", "code", "success", "trace_id"];

    /// <summary>The failure an exception stands for; <paramref name="interrupted"/> when the user cancelled.</summary>
    public static Failure From(Exception exception, Uri tekton, bool interrupted) => exception switch
    {
        OperationCanceledException when interrupted => new(ExitCodes.Interrupted, "interrupted"),
        TektonApiException api => new(ExitCodes.ForApiError(api.StatusCode, api.Code), api.Detail ?? api.Title ?? api.Message, api.Code, api.Problem),
        UsageException usage => new(ExitCodes.Usage, usage.Message),
        HttpRequestException http => new(ExitCodes.Unreachable, $"cannot reach Tekton at {tekton}: {http.Message}"),
        HttpIOException lost => new(ExitCodes.Unreachable, $"lost the connection to Tekton at {tekton}: {lost.Message}"),
        WebSocketException socket => new(ExitCodes.Unreachable, $"cannot reach Tekton's event socket at {tekton}: {Innermost(socket).Message}"),
        TimeoutException timeout => new(ExitCodes.Timeout, timeout.Message),
        _ => new(ExitCodes.Unexpected, $"unexpected {exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>The lines for a person: the message with its Tekton code, then the problem's own members.</summary>
    public IEnumerable<string> Lines()
    {
        yield return Code is { } code ? $"error: {Message} (code {code})" : $"error: {Message}";
        if (Problem is not { ValueKind: JsonValueKind.Object } problem)
        {
            yield break;
        }

        foreach (var member in problem.EnumerateObject().Where(m => !StandardMembers.Contains(m.Name)))
        {
            if (member is { Name: "errors", Value.ValueKind: JsonValueKind.Object })
            {
                foreach (var field in member.Value.EnumerateObject())
                {
                    yield return $"  {field.Name}: {Describe(field.Value)}";
                }
            }
            else if (member.Value is { ValueKind: JsonValueKind.Array } items && items.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object))
            {
                yield return $"  {member.Name}:";
                foreach (var item in items.EnumerateArray())
                {
                    yield return "    - " + (item.ValueKind == JsonValueKind.Object
                        ? string.Join(", ", item.EnumerateObject().Select(p => $"{p.Name}: {Describe(p.Value)}"))
                        : Describe(item));
                }
            }
            else
            {
                yield return $"  {member.Name}: {Describe(member.Value)}";
            }
        }
    }

    /// <summary>The problem JSON Tekton answered, or one in the same shape for a failure on this side.</summary>
    public string ToJson() => Problem is { } problem
        ? problem.GetRawText()
        : new JsonObject
        {
            ["title"] = Title(ExitCode),
            ["detail"] = Message,
            ["exit_code"] = ExitCode,
            ["success"] = false,
        }.ToJsonString(Output.CompactJson);

    private static string Title(int exitCode) => exitCode switch
    {
        ExitCodes.Usage => "Invalid arguments.",
        ExitCodes.Unreachable => "Tekton is unreachable.",
        ExitCodes.Timeout => "Timeout.",
        ExitCodes.Interrupted => "Interrupted.",
        _ => "Unexpected error.",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array when value.GetArrayLength() == 0 => "none",
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
            string.Join(", ", value.EnumerateArray().Select(v => v.GetString())),
        _ => value.GetRawText(),
    };

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;
}
