using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tekton.Dashboard.Tests.Support;

/// <summary>
/// The stack of the API reference's dependency graph (api_gateway, hermes, engram, rhetor, athena, ergon), registered
/// through the REST API, optionally with launch specs that run the Python sample component so that Tekton can start
/// and stop it for real.
/// </summary>
public static class ReferenceStack
{
    /// <summary>Each component's dependencies, exactly as the reference's <c>GET /api/tekton/dependencies</c> shows them.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Dependencies = new Dictionary<string, string[]>
    {
        ["hermes"] = [],
        ["engram"] = ["hermes"],
        ["rhetor"] = ["hermes", "engram"],
        ["athena"] = ["hermes", "engram"],
        ["ergon"] = ["hermes", "rhetor"],
        ["api_gateway"] = ["hermes", "engram", "rhetor"],
    };

    /// <summary>The reference's three models (`GET /api/tekton/models`).</summary>
    public static readonly string[] Models =
    [
        """{"id":"claude-3-sonnet-20240229","provider":"anthropic","capabilities":["text_generation","text_embedding","summarization"],"tier":3,"context_window":200000}""",
        """{"id":"gpt-4-turbo","provider":"openai","capabilities":["text_generation","text_embedding","code_generation"],"tier":3,"context_window":128000}""",
        """{"id":"llama3","provider":"ollama","capabilities":["text_generation","code_generation"],"tier":2,"context_window":8000}""",
    ];

    /// <summary>Startup levels: 0 without dependencies, else one more than the highest dependency.</summary>
    public static readonly IReadOnlyDictionary<string, int> Levels = new Dictionary<string, int>
    {
        ["hermes"] = 0,
        ["engram"] = 1,
        ["rhetor"] = 2,
        ["athena"] = 2,
        ["ergon"] = 3,
        ["api_gateway"] = 3,
    };

    private static readonly Dictionary<string, (string Name, string Type, string[] Capabilities)> Descriptions = new()
    {
        ["hermes"] = ("Hermes Message Bus", "messaging", ["message_bus"]),
        ["engram"] = ("Engram Memory Service", "memory", ["memory_storage", "vector_search"]),
        ["rhetor"] = ("Rhetor LLM Manager", "llm", ["text_generation", "text_embedding"]),
        ["athena"] = ("Athena Knowledge Graph", "knowledge", ["knowledge_graph"]),
        ["ergon"] = ("Ergon Agent Framework", "agent", ["agent_execution"]),
        ["api_gateway"] = ("API Gateway", "gateway", ["http_gateway"]),
    };

    /// <summary>Registers the stack (in an order that is not the startup order) and returns the instance uuids.</summary>
    public static async Task<Dictionary<string, Guid>> RegisterAsync(DashboardServer server, bool launch = false)
    {
        var instances = new Dictionary<string, Guid>();
        foreach (var id in new[] { "api_gateway", "ergon", "athena", "rhetor", "engram", "hermes" })
        {
            instances[id] = await RegisterAsync(server, id, Dependencies[id], launch);
        }

        return instances;
    }

    /// <summary>Adds (or replaces) the reference's models through <c>PUT /api/tekton/models/{id}</c>.</summary>
    public static async Task AddModelsAsync(DashboardServer server)
    {
        foreach (var model in Models)
        {
            using var response = await server.PutJsonAsync($"/api/tekton/models/{JsonNode.Parse(model)!["id"]}", model);
            response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Registers one component with the reference's name, type and capabilities; returns its instance uuid.</summary>
    public static async Task<Guid> RegisterAsync(DashboardServer server, string id, string[] dependencies, bool launch)
    {
        var (name, type, capabilities) = Descriptions.TryGetValue(id, out var known) ? known : ($"{id} component", "service", []);
        var registration = new Dictionary<string, object>
        {
            ["component_id"] = id,
            ["component_name"] = name,
            ["component_type"] = type,
            ["version"] = "1.0.0",
            ["host"] = "127.0.0.1",
            ["capabilities"] = capabilities,
            ["dependencies"] = dependencies,
        };
        if (launch)
        {
            registration["launch"] = SampleLaunch(id, name, type, capabilities, dependencies);
        }

        using var response = await server.PostJsonAsync("/api/tekton/components", JsonSerializer.Serialize(registration));
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(body);
        return JsonNode.Parse(body)!["instance_uuid"]!.GetValue<Guid>();
    }

    /// <summary>
    /// A launch spec that runs the Python sample component as <paramref name="id"/> (heartbeats every second). The sample
    /// registers itself again when it starts, so it is given the same name, type and capabilities.
    /// </summary>
    public static Dictionary<string, object> SampleLaunch(string id, string name, string type, string[] capabilities, string[] dependencies)
    {
        var root = Repository.Root;
        var args = new[]
        {
            Path.Combine(root, "samples", "python", "sample_component.py"),
            "--id", id, "--name", name, "--type", type, "--port", "0",
            "--capabilities", string.Join(',', capabilities),
            "--heartbeat-interval", "1", "--report-interval", "1",
            "--dependencies", string.Join(',', dependencies),
        };
        return new Dictionary<string, object>
        {
            ["command"] = "python3",
            ["args"] = args,
            ["working_directory"] = root,
            ["env"] = new Dictionary<string, string> { ["PYTHONPATH"] = Path.Combine(root, "clients", "python") },
            ["stop_timeout"] = 10,
        };
    }
}

/// <summary>The repository's folder, found from the test assembly's.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tekton.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tekton.sln above {AppContext.BaseDirectory}.");
    }
}
