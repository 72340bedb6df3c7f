using Tekton.Domain.Resources;

namespace Tekton.Domain.Components;

/// <summary>What a registration declares about a component; validated by the Application layer before it gets here.</summary>
public sealed record ComponentDefinition(
    string ComponentName,
    string ComponentType,
    string Version,
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<string> Dependencies,
    string Host,
    int? Port,
    string? HealthCheck,
    string MetadataJson,
    double HeartbeatInterval,
    double HeartbeatTimeout,
    LaunchSpec? Launch = null,
    bool Autostart = false,
    ResourceRequirements? Requirements = null)
{
    /// <summary>Heartbeat defaults of design §6.2, in seconds.</summary>
    public const double DefaultHeartbeatInterval = 10;
    public const double DefaultHeartbeatTimeout = 30;
}
