namespace Tekton.Web.Tests.Support;

/// <summary>The reference's six components, registered in the reference's order with its edges.</summary>
public static class ReferenceStack
{
    public static readonly string[] StartupOrder = ["hermes", "engram", "rhetor", "athena", "ergon", "api_gateway"];

    public static async Task RegisterAsync(TektonServer server)
    {
        await server.RegisterAsync("hermes", type: "messaging");
        await server.RegisterAsync("engram", ["hermes"], type: "memory");
        await server.RegisterAsync("rhetor", ["hermes", "engram"], type: "llm");
        await server.RegisterAsync("athena", ["hermes", "engram"], type: "knowledge");
        await server.RegisterAsync("ergon", ["hermes", "rhetor"], type: "agent");
        await server.RegisterAsync("api_gateway", ["hermes", "engram", "rhetor"], type: "gateway");
    }
}
