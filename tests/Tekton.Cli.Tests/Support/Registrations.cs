using System.Text.Json.Nodes;
using Tekton.Client;

namespace Tekton.Cli.Tests.Support;

/// <summary>Registration bodies as a user writes them for <c>components register -f</c>: the API's snake_case JSON.</summary>
public static class Registrations
{
    /// <summary>A component whose launch spec runs <paramref name="script"/> with /bin/sh; without a health check it is ready after 1 s up.</summary>
    public static string Launched(string id, string script, params string[] dependencies) => new JsonObject
    {
        ["component_id"] = id,
        ["component_name"] = $"{id} (test)",
        ["component_type"] = "service",
        ["version"] = "1.0.0",
        ["dependencies"] = new JsonArray([.. dependencies.Select(d => JsonValue.Create(d))]),
        ["launch"] = new JsonObject { ["command"] = "/bin/sh", ["args"] = new JsonArray("-c", script), ["stop_timeout"] = 5 },
    }.ToJsonString();

    /// <summary>The same through the client, to arrange a test without the CLI.</summary>
    public static ComponentRegistration Component(string id, string type = "service", params string[] dependencies) =>
        new(id, $"{id} (test)", type, "1.0.0") { Dependencies = dependencies };
}
