namespace Tekton.Application.Security;

/// <summary><c>Tekton:Auth</c>: whether credentials are required, how tokens are made, and the per-key limits (design §11).</summary>
public sealed class AuthOptions
{
    public const string Section = "Tekton:Auth";

    /// <summary>Off by default; with auth off Tekton only listens on loopback addresses.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Browser origins (<c>https://dashboard.example:8443</c>) allowed to write and to open event sockets besides
    /// Tekton's own pages; <c>*</c> allows any. Clients that are not browsers send no <c>Origin</c> and are not affected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Lifetime of a token from <c>POST /api/tekton/auth/token</c>.</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Base64 HS256 key of at least 32 bytes; when absent, one is generated and kept in the data folder.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Requests a second each key may make on average (a token bucket per key).</summary>
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>How many requests a key may make at once above the average.</summary>
    public int Burst { get; set; } = 400;

    /// <summary>Token requests a minute from one client address.</summary>
    public int TokenRequestsPerMinute { get; set; } = 10;
}

/// <summary><c>Tekton:Limits</c>: caps on what the registry holds.</summary>
public sealed class LimitOptions
{
    public const string Section = "Tekton:Limits";

    public int MaxComponents { get; set; } = 100_000;
}

/// <summary><c>Tekton:Probes</c>: where health checks may go besides loopback and hosts an Admin registered.</summary>
public sealed class ProbeOptions
{
    public const string Section = "Tekton:Probes";

    public string[] AllowedHosts { get; set; } = [];
}

/// <summary><c>Tekton:Audit</c>: how much of the audit trail is kept.</summary>
public sealed class AuditOptions
{
    public const string Section = "Tekton:Audit";

    public int MaxEntries { get; set; } = 100_000;
}
