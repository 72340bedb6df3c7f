using System.CommandLine;
using System.Reflection;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Service;

/// <summary><c>tekton version</c>: the CLI's own version, then the server's (<c>GET /api/tekton/version</c>).</summary>
internal static class VersionCommand
{
    /// <summary>This CLI's version, from its assembly.</summary>
    public static string CliVersion { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Command Create()
    {
        var command = new Command("version", "Show the CLI's version and the version of the Tekton it talks to.");
        command.SetHandler(async (context, cancellationToken) =>
        {
            if (!context.Json)
            {
                // The CLI's own version first: it is useful even when Tekton cannot be reached.
                context.Output.Line($"tekton CLI {CliVersion}");
            }

            var server = await context.Client.GetVersionAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new Versions(new CliVersionInfo(CliVersion), server));
            }
            else
            {
                context.Output.Line($"Tekton {server.Version} at {context.Tekton} (API {server.ApiVersion}, commit {server.GitCommit}, built {server.BuildDate})");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record CliVersionInfo(string Version);

    private sealed record Versions(CliVersionInfo Cli, VersionInfo Server);
}
