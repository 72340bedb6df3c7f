namespace Tekton.Application.Lifecycle;

/// <summary>The <c>Tekton:Supervision</c> section. Times in seconds.</summary>
public sealed class SupervisionOptions
{
    public const string Section = "Tekton:Supervision";

    /// <summary>
    /// End supervised processes when Tekton stops. Off by default: processes outlive a Tekton restart and are
    /// re-adopted when it comes back (design §6.3).
    /// </summary>
    public bool StopProcessesOnShutdown { get; set; }

    /// <summary>How long a component without a health check must stay up to count as ready.</summary>
    public double ReadyAfterSeconds { get; set; } = 1;

    /// <summary>How long a start waits for a dependency that Tekton cannot launch (it has no launch spec).</summary>
    public double DependencyTimeoutSeconds { get; set; } = 60;

    public double HealthCheckIntervalSeconds { get; set; } = 10;

    public double HealthCheckTimeoutSeconds { get; set; } = 2;

    /// <summary>How often heartbeat ages are checked against each component's heartbeat_timeout.</summary>
    public double HeartbeatSweepSeconds { get; set; } = 1;

    /// <summary>Where the stdout and stderr of supervised processes are kept; default: "logs" beside the database.</summary>
    public string? LogDirectory { get; set; }

    /// <summary>A log file is rotated when it grows past this many bytes; three rotated files are kept.</summary>
    public long LogFileMaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How often log files are checked against <see cref="LogFileMaxBytes"/>.</summary>
    public double LogRotationSeconds { get; set; } = 10;

    /// <summary>A JSON file of component registrations upserted at boot (<c>Tekton:Manifest</c>).</summary>
    public string? Manifest { get; set; }
}
