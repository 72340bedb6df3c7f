namespace Tekton.Client;

/// <summary>The four roles of API keys.</summary>
public static class TektonRoles
{
    /// <summary>Full access.</summary>
    public const string Admin = "admin";

    /// <summary>Registers and updates itself, sends heartbeats.</summary>
    public const string Component = "component";

    /// <summary>Reads.</summary>
    public const string Monitor = "monitor";

    /// <summary>Routes tasks and reads models.</summary>
    public const string User = "user";
}

/// <summary>A new API key; <see cref="ApiKey"/> is shown only here.</summary>
public sealed record CreatedApiKey
{
    /// <summary>The key's id (for revocation).</summary>
    public string Id { get; init; } = "";

    /// <summary>Its name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Its role.</summary>
    public string Role { get; init; } = "";

    /// <summary>The component it acts as (Component role).</summary>
    public string? ComponentId { get; init; }

    /// <summary>The secret, <c>tk_…</c>.</summary>
    public string ApiKey { get; init; } = "";

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>An API key as listed (without its secret).</summary>
public sealed record ApiKeyInfo
{
    /// <summary>Its id.</summary>
    public string Id { get; init; } = "";

    /// <summary>Its name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Its role.</summary>
    public string Role { get; init; } = "";

    /// <summary>The component it acts as.</summary>
    public string? ComponentId { get; init; }

    /// <summary>Its first 11 characters.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last used (written up to 30 s late).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}

/// <summary>A JWT access token.</summary>
public sealed record AccessToken
{
    /// <summary>The token.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("access_token")]
    public string Token { get; init; } = "";

    /// <summary><c>Bearer</c>.</summary>
    public string TokenType { get; init; } = "";

    /// <summary>Seconds until it expires.</summary>
    public int ExpiresIn { get; init; }

    /// <summary>The role of its key.</summary>
    public string Role { get; init; } = "";

    /// <summary>The component of its key.</summary>
    public string? ComponentId { get; init; }
}

/// <summary>One page of the audit trail, newest first.</summary>
public sealed record AuditPage
{
    /// <summary>The entries.</summary>
    public IReadOnlyList<AuditEntry> Entries { get; init; } = [];

    /// <summary>Pass as <c>beforeId</c> for the next page; <c>null</c> on the last.</summary>
    public long? NextBeforeId { get; init; }
}

/// <summary>An Admin action or a denied request.</summary>
public sealed record AuditEntry
{
    /// <summary>Its id.</summary>
    public long Id { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Who (the key's name, or <c>anonymous</c>).</summary>
    public string? Actor { get; init; }

    /// <summary>The key's id.</summary>
    public string? KeyId { get; init; }

    /// <summary>The key's role.</summary>
    public string? Role { get; init; }

    /// <summary>The operation id.</summary>
    public string Action { get; init; } = "";

    /// <summary>HTTP method.</summary>
    public string? Method { get; init; }

    /// <summary>Path.</summary>
    public string? Path { get; init; }

    /// <summary>The component or key acted on.</summary>
    public string? Target { get; init; }

    /// <summary><c>allowed</c> or <c>denied</c>.</summary>
    public string Outcome { get; init; } = "";

    /// <summary>HTTP status of the answer.</summary>
    public int? Status { get; init; }

    /// <summary>Where the request came from.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>More about it.</summary>
    public string? Detail { get; init; }
}
