using System.Net;
using System.Text.Json;

namespace Tekton.Client;

/// <summary>
/// Tekton answered with an error (a problem+json body). <see cref="Code"/> is the Tekton error code of the
/// reference (1000 general, 1001 component not found, … 1012 invalid state transition).
/// </summary>
public sealed class TektonApiException : Exception
{
    /// <summary>Creates the exception for an error answer.</summary>
    public TektonApiException(HttpStatusCode statusCode, int code, string message, JsonElement? problem = null, TimeSpan? retryAfter = null)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The Tekton error code (1000–1012); 1000 when the answer carried none.</summary>
    public int Code { get; }

    /// <summary>The whole problem+json body, for the members an error adds (<c>cycle</c>, <c>running_dependents</c>, …).</summary>
    public JsonElement? Problem { get; }

    /// <summary>The <c>Retry-After</c> the server asked for, if any.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The problem's <c>title</c>.</summary>
    public string? Title => Member("title")?.GetString();

    /// <summary>The problem's <c>detail</c>.</summary>
    public string? Detail => Member("detail")?.GetString();

    /// <summary>Field errors (<c>errors</c>): each field with its messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors =>
        Member("errors") is { ValueKind: JsonValueKind.Object } errors
            ? errors.Deserialize<Dictionary<string, string[]>>(TektonJson.Options) ?? []
            : [];

    /// <summary>A member of the problem body, such as <c>cycle</c> or <c>missing_dependencies</c>.</summary>
    public JsonElement? Member(string name) =>
        Problem is { ValueKind: JsonValueKind.Object } problem && problem.TryGetProperty(name, out var value) ? value : null;
}
