using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tekton.Cli.CommandLine;
using Tekton.Client;

namespace Tekton.Cli.Components;

/// <summary><c>tekton components register -f FILE</c>: registers the component a JSON file describes.</summary>
internal static class RegisterComponentCommand
{
    // A field the client does not know would be dropped silently; refusing it surfaces a typo as the API would.
    private static readonly JsonSerializerOptions Strict = new(TektonJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static Command Create()
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "A JSON file with the registration body, in the API's snake_case shape; - reads stdin",
            Required = true,
        };
        var command = new Command("register", "Register a component, or register it again with a new definition.") { file };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var path = context.Get(file)!;
            var registration = Parse(await ReadAsync(path, cancellationToken), path);
            var result = await context.Client.RegisterComponentAsync(registration, cancellationToken: cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(result);
                return ExitCodes.Ok;
            }

            context.Output.Line($"{(result.Created ? "registered" : "registered again")} {registration.ComponentId} (instance {result.InstanceUuid})");
            foreach (var warning in result.Warnings ?? [])
            {
                context.Output.Warning(warning);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The text of <paramref name="path"/>, or of stdin for <c>-</c>.</summary>
    public static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read '{path}': {exception.Message}", exception);
        }
    }

    private static ComponentRegistration Parse(string json, string path)
    {
        var source = path == "-" ? "stdin" : $"'{path}'";
        try
        {
            return JsonSerializer.Deserialize<ComponentRegistration>(json, Strict)
                ?? throw new UsageException($"{source} holds null, not a registration object.");
        }
        catch (JsonException exception)
        {
            throw new UsageException($"{source} is not a valid registration: {exception.Message}", exception);
        }
    }
}
