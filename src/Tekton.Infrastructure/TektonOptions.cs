using Microsoft.Extensions.Options;

namespace Tekton.Infrastructure;

/// <summary>The <c>Tekton:Database</c> section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Tekton:Database";

    public const string Sqlite = "Sqlite";

    public const string Postgres = "Postgres";

    /// <summary><c>Sqlite</c> (the default, one node) or <c>Postgres</c> (one or several nodes).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// A SQLite connection string (a relative <c>Data Source</c> is resolved against the content root), or an
    /// Npgsql one (<c>Host=...;Database=...;Username=...</c>) with <see cref="Provider"/> <c>Postgres</c>.
    /// </summary>
    public string ConnectionString { get; set; } = "Data Source=./data/tekton.db";

    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>The most writes committed together in one transaction.</summary>
    public int MaxBatchSize { get; set; } = 512;
}

/// <summary>The <c>Tekton:Heartbeats</c> section.</summary>
public sealed class HeartbeatOptions
{
    public const string Section = "Tekton:Heartbeats";

    /// <summary>Seconds between write-behinds of heartbeat times; a crash loses at most this window of them.</summary>
    public double FlushIntervalSeconds { get; set; } = 5;
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        if (!string.Equals(options.Provider, DatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase) && !options.IsPostgres)
        {
            failures.Add($"Tekton:Database:Provider is '{options.Provider}'; use 'Sqlite' or 'Postgres'.");
        }
        else if (options.IsPostgres && !string.IsNullOrWhiteSpace(options.ConnectionString) && !IsNpgsql(options.ConnectionString))
        {
            failures.Add("Tekton:Database:ConnectionString is not a PostgreSQL connection string; with Provider 'Postgres' set it, e.g. 'Host=db;Database=tekton;Username=tekton;Password=...'.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Tekton:Database:ConnectionString is empty; set it, e.g. 'Data Source=./data/tekton.db'.");
        }

        if (options.MaxBatchSize is < 1 or > 10_000)
        {
            failures.Add($"Tekton:Database:MaxBatchSize is {options.MaxBatchSize}; use a number from 1 to 10000.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    private static bool IsNpgsql(string connectionString)
    {
        try
        {
            return !string.IsNullOrEmpty(new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

internal sealed class HeartbeatOptionsValidator : IValidateOptions<HeartbeatOptions>
{
    public ValidateOptionsResult Validate(string? name, HeartbeatOptions options) =>
        options.FlushIntervalSeconds is >= 0.1 and <= 3600
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Tekton:Heartbeats:FlushIntervalSeconds is {options.FlushIntervalSeconds}; use a number of seconds from 0.1 to 3600.");
}
