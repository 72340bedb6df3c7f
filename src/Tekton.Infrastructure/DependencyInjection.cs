using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Lifecycle;
using Tekton.Application.Models;
using Tekton.Application.Resources;
using Tekton.Infrastructure.Cluster;
using Tekton.Infrastructure.Health;
using Tekton.Infrastructure.Heartbeats;
using Tekton.Infrastructure.Processes;
using Tekton.Infrastructure.Models;
using Tekton.Infrastructure.Persistence;
using Tekton.Infrastructure.Resources;
using Tekton.Infrastructure.Security;
using Tekton.Application.Security;

namespace Tekton.Infrastructure;

public static class DependencyInjection
{
    public static IHostApplicationBuilder AddInfrastructureServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>().Bind(builder.Configuration.GetSection(DatabaseOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddOptions<HeartbeatOptions>().Bind(builder.Configuration.GetSection(HeartbeatOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HeartbeatOptions>, HeartbeatOptionsValidator>();

        var contentRoot = builder.Environment.ContentRootPath;
        var postgres = string.Equals(builder.Configuration[$"{DatabaseOptions.Section}:Provider"], DatabaseOptions.Postgres, StringComparison.OrdinalIgnoreCase);
        if (postgres)
        {
            // The same model; its own migrations (Tekton.Infrastructure.Postgres), so the SQLite ones stay as they are.
            services.AddDbContextFactory<TektonDbContext>((provider, options) =>
                options.UseNpgsql(
                    provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString,
                    npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly)));
            services.AddSingleton(provider => new DataFolder(CreateFolder(
                Path.GetFullPath(provider.GetRequiredService<IOptions<NodeOptions>>().Value.DataDirectory, contentRoot))));
            services.AddSingleton(provider => new DefaultLogDirectory(Path.Combine(provider.GetRequiredService<DataFolder>().Path, "logs")));
        }
        else
        {
            services.AddSingleton(provider => new SqliteConnectionString(
                ResolveSqlite(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString, contentRoot)));
            services.AddSingleton<SqlitePragmas>();
            services.AddSingleton<SqliteGroupInserts>();
            services.AddDbContextFactory<TektonDbContext>((provider, options) =>
                options.UseSqlite(provider.GetRequiredService<SqliteConnectionString>().Value)
                    .AddInterceptors(provider.GetRequiredService<SqlitePragmas>()));
            services.AddSingleton(provider => new DataFolder(DataDirectory(provider.GetRequiredService<SqliteConnectionString>().Value, contentRoot)));
            services.AddSingleton(provider => new DefaultLogDirectory(Path.Combine(
                Path.GetDirectoryName(new SqliteConnectionStringBuilder(provider.GetRequiredService<SqliteConnectionString>().Value).DataSource) is { Length: > 0 } dataDirectory
                    ? dataDirectory : Directory.GetCurrentDirectory(), "logs")));
        }

        services.AddScoped<ITektonDbContext>(provider => provider.GetRequiredService<TektonDbContext>());

        services.AddOptions<NodeOptions>().Bind(builder.Configuration.GetSection(NodeOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Name) && o.Name.Length <= 64, "Tekton:Node:Name must be 1 to 64 characters.")
            .Validate(o => o.LeaseSeconds is >= 1 and <= 3600, "Tekton:Node:LeaseSeconds must be between 1 and 3600.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "Tekton:Node:DataDirectory must not be empty.")
            .ValidateOnStart();
        services.AddOptions<RedisOptions>().Bind(builder.Configuration.GetSection(RedisOptions.Section));
        services.AddSingleton(provider => new LocalNode(provider.GetRequiredService<IOptions<NodeOptions>>().Value.Name, Clustered: postgres));
        if (postgres)
        {
            // Several nodes may share the database: one at a time runs heartbeat expiry.
            services.AddSingleton<ExpiryLease>();
            services.AddSingleton<IExpiryLease>(provider => provider.GetRequiredService<ExpiryLease>());
            services.AddSingleton<NodePresence>();
        }

        services.AddSingleton<Registry>();
        services.AddSingleton<GroupCommitWriter>();
        services.AddSingleton<EventStreamStore>();
        services.AddSingleton<IRegistryWriter>(provider => provider.GetRequiredService<GroupCommitWriter>());

        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{RedisOptions.Section}:ConnectionString"]))
        {
            // Subscribed before the registry is loaded, so no other node's commit falls between the load and the
            // subscription (a refresh queued meanwhile runs after the load); stopped last, after the writer's last
            // group was announced.
            services.AddSingleton<ClusterBus>();
            services.AddSingleton<IRemoteLifecycle>(provider => provider.GetRequiredService<ClusterBus>());
            services.AddHostedService(provider => provider.GetRequiredService<ClusterBus>());
        }

        // Order matters: the database is migrated and loaded before the writer and the server start.
        services.AddHostedService<DatabaseInitializer>();
        if (postgres)
        {
            // Right after the migrations: a second process with this node's name stops here, before it supervises anything.
            services.AddHostedService(provider => provider.GetRequiredService<NodePresence>());
        }

        services.AddHostedService(provider => provider.GetRequiredService<GroupCommitWriter>());
        services.AddHostedService<HeartbeatFlusher>();
        if (postgres)
        {
            services.AddHostedService(provider => provider.GetRequiredService<ExpiryLease>());

            // Every node signs and checks tokens with the one key in the database (after the migrations made its table).
            services.AddSingleton<DatabaseSigningKey>();
            services.AddSingleton<ISigningKeySource>(provider => provider.GetRequiredService<DatabaseSigningKey>());
            services.AddHostedService(provider => provider.GetRequiredService<DatabaseSigningKey>());
        }
        else
        {
            services.AddSingleton<ISigningKeySource, SigningKeyFile>();
        }

        services.AddSingleton<IAccessTokens, JwtAccessTokens>();
        services.AddHostedService<SecurityBoot>();

        services.AddSingleton<LogFiles>();
        services.AddSingleton<IInstanceLogs>(provider => provider.GetRequiredService<LogFiles>());
        services.AddSingleton<IProcessSupervisor, ProcessSupervisor>();
        services.AddHostedService<LogRotation>();
        services.AddHttpClient(HttpHealthProbe.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
            .RemoveAllLoggers();
        services.AddSingleton<IHealthProbe, HttpHealthProbe>();

        services.AddHttpClient(OllamaClient.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
            .RemoveAllLoggers();
        services.AddSingleton<IOllamaClient, OllamaClient>();

        services.AddSingleton<GpuProbe>();
        services.AddSingleton<IHardwareProbe>(provider => new LinuxHardwareProbe(
            provider.GetRequiredService<DataFolder>().Path, provider.GetRequiredService<GpuProbe>()));

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The assembly that holds the PostgreSQL migrations.</summary>
    public const string PostgresMigrationsAssembly = "Tekton.Infrastructure.Postgres";

    /// <summary>Where instance logs go unless <c>Tekton:Supervision:LogDirectory</c> says otherwise.</summary>
    internal sealed record DefaultLogDirectory(string Path);

    private static string CreateFolder(string path)
    {
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The resolved SQLite connection string, computed once.</summary>
    internal sealed record SqliteConnectionString(string Value);

    /// <summary>The folder of the database file, whose filesystem the resource monitor reports; the content root for an in-memory database.</summary>
    internal static string DataDirectory(string connectionString, string contentRoot)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return Path.IsPathRooted(dataSource) ? Path.GetDirectoryName(dataSource)! : contentRoot;
    }

    /// <summary>Makes a relative SQLite file absolute (against the content root) and creates its folder.</summary>
    internal static string ResolveSqlite(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        var dataSource = sqlite.DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return sqlite.ToString();
        }

        var path = Path.GetFullPath(Path.IsPathRooted(dataSource) ? dataSource : Path.Combine(contentRoot, dataSource));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        sqlite.DataSource = path;
        return sqlite.ToString();
    }
}
