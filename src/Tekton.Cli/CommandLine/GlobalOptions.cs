using System.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.CommandLine;

/// <summary>The options every command takes: where Tekton is, the key to use, and JSON output.</summary>
internal static class GlobalOptions
{
    /// <summary>The address printed in help and used when neither <c>--url</c> nor <c>TEKTON_URL</c> is given.</summary>
    public const string DefaultUrl = "http://localhost:8010";

    public static readonly Option<string?> Url = new("--url")
    {
        Description = $"Tekton's address (default: ${TektonClientOptions.UrlVariable}, else {DefaultUrl})",
        Recursive = true,
    };

    // No default value here: help would print the secret of TEKTON_API_KEY.
    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = $"API key or token sent as Authorization: Bearer (default: ${TektonClientOptions.ApiKeyVariable})",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine output: the API's JSON (snake_case), no colors, no tables; errors as problem JSON on stderr",
        Recursive = true,
    };

    /// <summary>Adds the global options to the root command; subcommands inherit them.</summary>
    public static void AddTo(RootCommand root)
    {
        root.Add(Url);
        root.Add(ApiKey);
        root.Add(Json);
    }

    /// <summary>Tekton's address: <c>--url</c>, else <c>TEKTON_URL</c>, else the default; an absolute http(s) URL.</summary>
    public static Uri ResolveUrl(ParseResult parse)
    {
        var text = parse.GetValue(Url)
            ?? (Environment.GetEnvironmentVariable(TektonClientOptions.UrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultUrl);
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new UsageException($"'{text}' is not an http or https URL (from --url or {TektonClientOptions.UrlVariable}).");
    }

    /// <summary>The key to send: <c>--api-key</c>, else <c>TEKTON_API_KEY</c>, else none.</summary>
    public static string? ResolveApiKey(ParseResult parse) =>
        parse.GetValue(ApiKey) is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable(TektonClientOptions.ApiKeyVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : null;
}
