namespace Tekton.Client.Tests;

/// <summary>The reference's Python SDK example, line by line in C#, against a real Tekton.</summary>
public sealed class ReferenceExampleTests
{
    [Fact]
    public async Task The_python_sdk_example_translated_line_by_line_runs()
    {
        await using var tekton = await TektonServerProcess.StartAsync();
        await PrepareAsync(tekton);

        // Create a client
        using var client = new TektonClient(host: "localhost", port: tekton.Port);

        // Register a component
        var registration = new ComponentRegistration(
            componentId: "my_component",
            componentName: "My Custom Component",
            componentType: "service",
            version: "1.0.0")
        {
            Capabilities = ["data_processing", "visualization"],
            Dependencies = ["engram", "rhetor"],
            Port = 8500,
        };

        var (success, uuid) = await client.RegisterComponentAsync(registration);

        // Get component status
        var status = await client.GetComponentStatusAsync("engram");

        // Find a component by capability
        var components = await client.FindComponentsByCapabilityAsync("vector_search");

        // Start a component
        var started = (await client.StartComponentAsync("rhetor")).Success;

        // Monitor resources
        var resources = await client.GetSystemResourcesAsync();

        // Route a task to the appropriate model
        var routeInfo = await client.RouteTaskAsync(
            taskType: "text_generation",
            complexity: "medium",
            contextLength: 2000);

        // Send heartbeats
        var heartbeatTask = client.StartHeartbeat("my_component", interval: 10);
        (await Eventually.TrueAsync(() => heartbeatTask.Sent >= 1)).Should().BeTrue();

        // Stop heartbeats when done
        await heartbeatTask.StopAsync();

        success.Should().BeTrue();
        uuid.Should().NotBeEmpty();
        status.ComponentId.Should().Be("engram");
        components.Select(c => c.ComponentId).Should().Equal("engram");
        started.Should().BeTrue();
        resources.Cpu.Cores.Should().BeGreaterThan(0);
        routeInfo.SelectedModel.Should().Be("llama3");
        (await client.GetComponentStatusAsync("my_component")).LastHeartbeat.Should().NotBeNull();
        await client.StopComponentAsync("rhetor", new StopOptions { Force = true });
    }

    private static async Task PrepareAsync(TektonServerProcess tekton)
    {
        using var admin = tekton.Client();
        await admin.RegisterComponentAsync(new ComponentRegistration("engram", "Engram Memory Service", "memory", "1.0.0") { Capabilities = ["memory_storage", "vector_search"] });
        await admin.RegisterComponentAsync(new ComponentRegistration("rhetor", "Rhetor LLM Manager", "llm", "1.0.0")
        {
            Launch = new LaunchSpec { Command = "sleep", Args = ["60"] },
        });
        await admin.AddModelAsync(new ModelInfo { Id = "llama3", Provider = "ollama", Capabilities = ["text_generation", "chat"], Tier = 2, ContextWindow = 8192 });
    }
}
