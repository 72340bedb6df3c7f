namespace Tekton.Application.Security;

/// <summary>One row of the audit trail: who did (or was refused) what, when and from where.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    /// <summary>Stamped by <see cref="AuditTrail"/> when left unset.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>The key's id; null for a request without valid credentials, "local" with auth off.</summary>
    public string? KeyId { get; init; }

    /// <summary>The key's name, "anonymous" or "local".</summary>
    public required string Actor { get; init; }

    /// <summary>The role the request was made with, when known.</summary>
    public string? Role { get; init; }

    /// <summary>The operation id (e.g. StartComponent), or the hub method or socket action.</summary>
    public required string Action { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>What was acted on: a component, key or model id.</summary>
    public string? Target { get; init; }

    /// <summary>allowed or denied.</summary>
    public required string Outcome { get; init; }

    /// <summary>The HTTP status answered (0 for socket and hub actions without one).</summary>
    public int Status { get; init; }

    public string? ClientAddress { get; init; }

    public string? Detail { get; init; }
}
