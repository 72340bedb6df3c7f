namespace Tekton.Client.Hosting;

/// <summary>The running component as Tekton knows it: inject it to reach Tekton from application code.</summary>
public sealed class TektonComponent
{
    internal TektonComponent(TektonClient client, string componentId)
    {
        Client = client;
        ComponentId = componentId;
    }

    /// <summary>The client the integration uses.</summary>
    public TektonClient Client { get; }

    /// <summary>The component's id.</summary>
    public string ComponentId { get; }

    /// <summary>The instance this process is; <see cref="Guid.Empty"/> until the host has started.</summary>
    public Guid InstanceUuid { get; internal set; }

    /// <summary>The shutdown signal Tekton sent, once it did.</summary>
    public ControlSignal? ShutdownSignal { get; internal set; }
}
