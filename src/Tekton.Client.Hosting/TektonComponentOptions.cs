namespace Tekton.Client.Hosting;

/// <summary>How <c>services.AddTektonComponent(...)</c> runs a component with Tekton.</summary>
public sealed class TektonComponentOptions
{
    /// <summary>
    /// What the component registers. When Tekton launched the process, <c>TEKTON_COMPONENT_ID</c> fills an empty
    /// <see cref="ComponentRegistration.ComponentId"/> and <c>TEKTON_INSTANCE_UUID</c> names the instance to attach to.
    /// </summary>
    public ComponentRegistration Registration { get; set; } = new();

    /// <summary>Where Tekton is and the key to use (default: <c>TEKTON_URL</c> and <c>TEKTON_API_KEY</c>).</summary>
    public TektonClientOptions Client { get; set; } = new();

    /// <summary>Time between heartbeats; default the registration's <c>heartbeat_interval</c>, else 10 s.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Time between resource reports (default 10 s); <c>null</c> sends none.</summary>
    public TimeSpan? ResourceReportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait for the registration's dependencies to be ready before the host finishes starting (default <c>false</c>).</summary>
    public bool WaitForDependencies { get; set; }

    /// <summary>How long to wait for dependencies; the host fails to start after it (default 60 s).</summary>
    public TimeSpan DependencyTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Mark the instance ready once the host has started (default <c>true</c>).</summary>
    public bool MarkReadyWhenStarted { get; set; } = true;

    /// <summary>Called when Tekton asks the instance to shut down, before the host is told to stop.</summary>
    public Action<ControlSignal>? OnShutdownSignal { get; set; }
}
